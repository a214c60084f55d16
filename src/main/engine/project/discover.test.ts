import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverImages } from './discover';
import { useScratchFolders } from '../../../../test/support/project/project-test-setup';
import { writeDriveLikeDataset } from '../../../../test/support/project/test-fixtures';

const scratchFolder = useScratchFolders();

describe('discoverImages', () => {
  it('lists each dataset image with its label and FOV files', async () => {
    const dir = scratchFolder();
    await writeDriveLikeDataset(dir, 2);
    const { images } = await discoverImages(dir);
    expect(images.map((i) => i.key)).toEqual(['test/01_test', 'test/02_test']);
    expect(images[0]).toEqual({
      key: 'test/01_test',
      split: 'test',
      name: '01_test',
      width: 24,
      height: 20,
      files: {
        image: path.join(dir, 'test', 'images', '01_test.png'),
        'label-1st': path.join(dir, 'test', '1st_manual', '01_manual1.png'),
        fov: path.join(dir, 'test', 'mask', '01_test_mask.png'),
      },
    });
  });
});
