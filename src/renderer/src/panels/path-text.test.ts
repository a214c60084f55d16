import { describe, expect, it } from 'vitest';
import { baseName, datasetBadge, parentOf, withTilde } from './path-text';

describe('paths as the panels show them', () => {
  it('shows paths inside the home folder with ~, and no other', () => {
    expect(withTilde('/home/me', '/home/me')).toBe('~');
    expect(withTilde('/home/me/data/DRIVE', '/home/me')).toBe('~/data/DRIVE');
    expect(withTilde('/home/mead/DRIVE', '/home/me')).toBe('/home/mead/DRIVE');
    expect(withTilde('C:\\Users\\me\\DRIVE', 'C:\\Users\\me')).toBe('~\\DRIVE');
    expect(withTilde('/data', null)).toBe('/data');
  });

  it('finds the parent and the last part of POSIX and Windows paths', () => {
    expect(parentOf('/data/DRIVE')).toBe('/data');
    expect(parentOf('/data/DRIVE/')).toBe('/data');
    expect(parentOf('/data')).toBe('/');
    expect(parentOf('C:\\data\\DRIVE')).toBe('C:\\data');
    expect(baseName('/p/DRIVE-1a2b3c4d.vessel')).toBe('DRIVE-1a2b3c4d.vessel');
    expect(baseName('C:\\p\\x.vessel')).toBe('x.vessel');
  });

  it('names a dataset by its layout and image count', () => {
    expect(datasetBadge({ layout: 'drive', images: 40 })).toBe('DRIVE · 40 images');
    expect(datasetBadge({ layout: 'chase', images: 1 })).toBe('CHASE_DB1 · 1 image');
    expect(datasetBadge({ layout: 'generic', images: 3 })).toBe('images/labels · 3 images');
  });
});
