/*
 * Winograd F(2x2, 3x3) convolution for NHWC float32 tensors, compiled to WebAssembly SIMD.
 *
 * A 3x3 stride-1 convolution computed tile by tile: every 2x2 block of outputs reads a 4x4
 * block of the input, and Y = A^T [ (G g G^T) (.) (B^T d B) ] A (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", CVPR 2016). The element-wise product summed
 * over input channels is 16 independent matrix products, one per position of the 4x4
 * transformed tile: 16 multiply-adds per 2x2 outputs per channel pair instead of 36.
 *
 * The module imports the memory of the tfjs wasm backend it runs beside and works on tensors
 * where they lie; every pointer is a byte offset into that memory. It has no data segment (the
 * build checks), and the loader points each instance's stack at a heap block of its own, so it
 * never writes outside the buffers it is given. Besides the convolution it holds the direct
 * filter gradient and a few element-wise training kernels (below).
 *
 * Layouts:
 *   x  [N][H][W][C]           input
 *   g  [3][3][C][K]           filter (HWIO, as tfjs stores it)
 *   u  [16][C][KP]            transformed filter, KP = K rounded up to 4, zero-padded
 *   y  [N][OH][OW][K]         output
 *   scratch per thread: v [16][TB][C] transformed input tiles, m [16][TB][KP] products
 * Tiles are numbered over (n, tile row, tile column), columns fastest; a call computes tiles
 * [begin, end) so that several threads can share one convolution.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * acc + a * b. Built with RELAXED, one relaxed-SIMD multiply-add (fused where the CPU has FMA):
 * clang 14 emits it under an older opcode, which scripts/build-wasm-kernels.sh rewrites to the
 * final f32x4.relaxed_madd (a * b + c). Otherwise a multiply and an add.
 */
#ifdef RELAXED
#define MADD(acc, a, b) __builtin_wasm_fma_f32x4(a, b, acc)
#else
#define MADD(acc, a, b) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

/*
 * A 4x8 block of accumulators, rows a0..a3 (columns 0-3) and b0..b3 (columns 4-7): one step
 * adds the outer product of the splats s0..s3 with the row w0|w1 (each argument evaluated
 * once); LOAD and STORE move the block from and to `out`, rows `stride` floats apart. The 4x4
 * forms use a0..a3 and w0 alone.
 */
#define BLOCK_4x8_STEP(s0, s1, s2, s3, w0, w1)                                                 \
  do {                                                                                         \
    const v128_t x0_ = (s0), x1_ = (s1), x2_ = (s2), x3_ = (s3), y0_ = (w0), y1_ = (w1);       \
    a0 = MADD(a0, x0_, y0_);                                                                   \
    b0 = MADD(b0, x0_, y1_);                                                                   \
    a1 = MADD(a1, x1_, y0_);                                                                   \
    b1 = MADD(b1, x1_, y1_);                                                                   \
    a2 = MADD(a2, x2_, y0_);                                                                   \
    b2 = MADD(b2, x2_, y1_);                                                                   \
    a3 = MADD(a3, x3_, y0_);                                                                   \
    b3 = MADD(b3, x3_, y1_);                                                                   \
  } while (0)
#define BLOCK_4x4_STEP(s0, s1, s2, s3, w0)                                                     \
  do {                                                                                         \
    const v128_t y0_ = (w0);                                                                   \
    a0 = MADD(a0, (s0), y0_);                                                                  \
    a1 = MADD(a1, (s1), y0_);                                                                  \
    a2 = MADD(a2, (s2), y0_);                                                                  \
    a3 = MADD(a3, (s3), y0_);                                                                  \
  } while (0)
#define BLOCK_4x8_LOAD(out, stride)                                                            \
  v128_t a0 = wasm_v128_load(out), b0 = wasm_v128_load((out) + 4);                             \
  v128_t a1 = wasm_v128_load((out) + (stride)), b1 = wasm_v128_load((out) + (stride) + 4);     \
  v128_t a2 = wasm_v128_load((out) + 2 * (stride));                                            \
  v128_t b2 = wasm_v128_load((out) + 2 * (stride) + 4);                                        \
  v128_t a3 = wasm_v128_load((out) + 3 * (stride));                                            \
  v128_t b3 = wasm_v128_load((out) + 3 * (stride) + 4)
#define BLOCK_4x4_LOAD(out, stride)                                                            \
  v128_t a0 = wasm_v128_load(out), a1 = wasm_v128_load((out) + (stride));                      \
  v128_t a2 = wasm_v128_load((out) + 2 * (stride)), a3 = wasm_v128_load((out) + 3 * (stride))
#define BLOCK_4x8_STORE(out, stride)                                                           \
  do {                                                                                         \
    wasm_v128_store(out, a0);                                                                  \
    wasm_v128_store((out) + 4, b0);                                                            \
    wasm_v128_store((out) + (stride), a1);                                                     \
    wasm_v128_store((out) + (stride) + 4, b1);                                                 \
    wasm_v128_store((out) + 2 * (stride), a2);                                                 \
    wasm_v128_store((out) + 2 * (stride) + 4, b2);                                             \
    wasm_v128_store((out) + 3 * (stride), a3);                                                 \
    wasm_v128_store((out) + 3 * (stride) + 4, b3);                                             \
  } while (0)
#define BLOCK_4x4_STORE(out, stride)                                                           \
  do {                                                                                         \
    wasm_v128_store(out, a0);                                                                  \
    wasm_v128_store((out) + (stride), a1);                                                     \
    wasm_v128_store((out) + 2 * (stride), a2);                                                 \
    wasm_v128_store((out) + 3 * (stride), a3);                                                 \
  } while (0)

/* One row of G g G^T's left factor: G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]. */
static inline void g_rows(float a, float b, float c, float out[4]) {
  out[0] = a;
  out[1] = 0.5f * (a + b + c);
  out[2] = 0.5f * (a - b + c);
  out[3] = c;
}

/* u = G g G^T for every (c, k). */
EXPORT(winograd_filter)
void winograd_filter(const float *g, float *u, int C, int K, int KP) {
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < KP; k++) {
      float *dst = u + c * KP + k;
      if (k >= K) {
        for (int p = 0; p < 16; p++) dst[p * C * KP] = 0.0f;
        continue;
      }
      float t[3][3];
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) t[i][j] = g[(i * 3 + j) * C * K + c * K + k];
      float col[3][4]; /* G applied down each column: col[j][r] */
      for (int j = 0; j < 3; j++) g_rows(t[0][j], t[1][j], t[2][j], col[j]);
      for (int r = 0; r < 4; r++) {
        float row[4];
        g_rows(col[0][r], col[1][r], col[2][r], row);
        for (int s = 0; s < 4; s++) dst[(r * 4 + s) * C * KP] = row[s];
      }
    }
  }
}

/*
 * B^T d B of a 4x4 tile whose pixel (a, b) is LOAD(a, b), stored as position p = 4r + s by
 * STORE(p, value). B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]], applied along the rows
 * then the columns, in named values so that nothing goes through memory.
 */
#define WINO_ROW(a, LOAD)                                                                      \
  v128_t r##a##0, r##a##1, r##a##2, r##a##3;                                                   \
  {                                                                                            \
    v128_t d0 = LOAD(a, 0), d1 = LOAD(a, 1), d2 = LOAD(a, 2), d3 = LOAD(a, 3);                 \
    r##a##0 = wasm_f32x4_sub(d0, d2);                                                          \
    r##a##1 = wasm_f32x4_add(d1, d2);                                                          \
    r##a##2 = wasm_f32x4_sub(d2, d1);                                                          \
    r##a##3 = wasm_f32x4_sub(d1, d3);                                                          \
  }
#define WINO_COLUMN(j, STORE)                                                                  \
  STORE(j, wasm_f32x4_sub(r0##j, r2##j));                                                      \
  STORE(4 + j, wasm_f32x4_add(r1##j, r2##j));                                                  \
  STORE(8 + j, wasm_f32x4_sub(r2##j, r1##j));                                                  \
  STORE(12 + j, wasm_f32x4_sub(r1##j, r3##j));
#define WINO_INPUT_TILE(LOAD, STORE)                                                           \
  do {                                                                                         \
    WINO_ROW(0, LOAD) WINO_ROW(1, LOAD) WINO_ROW(2, LOAD) WINO_ROW(3, LOAD)                    \
    WINO_COLUMN(0, STORE) WINO_COLUMN(1, STORE) WINO_COLUMN(2, STORE) WINO_COLUMN(3, STORE)    \
  } while (0)

/* The first `lanes` floats at p (1 to 4), the other lanes zero; registers only, no stack. */
static inline v128_t load_lanes(const float *p, int lanes) {
  if (lanes == 4) return wasm_v128_load(p);
  v128_t v = wasm_f32x4_splat(0.0f);
  v = wasm_f32x4_replace_lane(v, 0, p[0]);
  if (lanes > 1) v = wasm_f32x4_replace_lane(v, 1, p[1]);
  if (lanes > 2) v = wasm_f32x4_replace_lane(v, 2, p[2]);
  return v;
}

/* Stores the first `lanes` lanes of v at p. */
static inline void store_lanes(float *p, v128_t v, int lanes) {
  if (lanes == 4) {
    wasm_v128_store(p, v);
    return;
  }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (lanes > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (lanes > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* Loads channels [c, c + lanes) of input pixel (row, col), zero outside the image. */
static inline v128_t load_pixel(const float *x, int H, int W, int C, int row, int col, int c,
                                int lanes) {
  if (row < 0 || row >= H || col < 0 || col >= W) return wasm_f32x4_splat(0.0f);
  const float *p = x + (row * W + col) * C + c;
  return load_lanes(p, lanes);
}

/* m[p] = v[p] u[p] over all C, for rows t..t+3 and columns k..k+7. */
static inline void gemm_4x8(const float *v, const float *u, float *m, int C, int KP) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  v128_t b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const float *v0 = v, *v1 = v + C, *v2 = v + 2 * C, *v3 = v + 3 * C;
  for (int c = 0; c < C; c++) {
    v128_t w0 = wasm_v128_load(u + c * KP), w1 = wasm_v128_load(u + c * KP + 4);
    BLOCK_4x8_STEP(wasm_v128_load32_splat(v0 + c), wasm_v128_load32_splat(v1 + c),
                   wasm_v128_load32_splat(v2 + c), wasm_v128_load32_splat(v3 + c), w0, w1);
  }
  BLOCK_4x8_STORE(m, KP);
}

/* The same for 4 columns, the last ones when KP is not a multiple of 8. */
static inline void gemm_4x4(const float *v, const float *u, float *m, int C, int KP) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  const float *v0 = v, *v1 = v + C, *v2 = v + 2 * C, *v3 = v + 3 * C;
  for (int c = 0; c < C; c++) {
    BLOCK_4x4_STEP(wasm_v128_load32_splat(v0 + c), wasm_v128_load32_splat(v1 + c),
                   wasm_v128_load32_splat(v2 + c), wasm_v128_load32_splat(v3 + c),
                   wasm_v128_load(u + c * KP));
  }
  BLOCK_4x4_STORE(m, KP);
}

/* The tile block size: v and m of one block stay within about 256 KiB. */
EXPORT(winograd_block_tiles)
int winograd_block_tiles(int C, int KP) {
  int tb = 4096 / (C + KP);
  if (tb > 64) tb = 64;
  tb &= ~3;
  return tb < 4 ? 4 : tb;
}

/*
 * Floats between the 16 matrices of a block in scratch: one cache line more than they hold, so
 * that the 16 loads or stores of one tile do not all fall in the same cache set (with 64 tiles
 * of 16 channels the matrices would be exactly 4 KiB apart).
 */
static inline int v_stride(int C, int KP) { return winograd_block_tiles(C, KP) * C + 16; }
static inline int m_stride(int C, int KP) { return winograd_block_tiles(C, KP) * KP + 16; }

/* Floats of scratch one thread needs. */
EXPORT(winograd_scratch_floats)
int winograd_scratch_floats(int C, int KP) {
  return 16 * (v_stride(C, KP) + m_stride(C, KP));
}

/*
 * B^T d B of tiles [t0, t0 + count) into v: tile i's channel c at v[p * vs + i * cs + c] for
 * position p. Rows count .. rows - 1 are zero. With cs > C (a channel count rounded up to 4),
 * the lanes past C are zero too.
 */
static void transform_input(const float *x, int H, int W, int C, int pad_top, int pad_left,
                            int tiles_w, int tiles_image, int t0, int count, int rows, float *v,
                            int vs, int cs) {
  for (int i = 0; i < rows; i++) {
    if (i >= count) {
      for (int p = 0; p < 16; p++)
        for (int c = 0; c < cs; c++) v[p * vs + i * cs + c] = 0.0f;
      continue;
    }
    const int t = t0 + i, n = t / tiles_image, rem = t % tiles_image;
    const int row0 = (rem / tiles_w) * 2 - pad_top, col0 = (rem % tiles_w) * 2 - pad_left;
    const float *xn = x + n * H * W * C;
    const int inside = row0 >= 0 && row0 + 4 <= H && col0 >= 0 && col0 + 4 <= W;
    const float *corner = xn + (row0 * W + col0) * C;
    for (int c = 0; c < C; c += 4) {
      const int lanes = C - c < 4 ? C - c : 4;
      /* Where the row has room, store all four lanes (the extra ones are zero). */
      const int stored = cs - c < 4 ? lanes : 4;
      float *dst = v + i * cs + c;
#define LOAD_INSIDE(a, b) wasm_v128_load(corner + ((a) * W + (b)) * C + c)
#define LOAD_EDGE(a, b) load_pixel(xn, H, W, C, row0 + (a), col0 + (b), c, lanes)
#define STORE_FULL(p, value) wasm_v128_store(dst + (p) * vs, value)
#define STORE_PART(p, value) store_lanes(dst + (p) * vs, value, stored)
      if (inside && lanes == 4) {
        WINO_INPUT_TILE(LOAD_INSIDE, STORE_FULL); /* most tiles: no bounds to check */
      } else {
        WINO_INPUT_TILE(LOAD_EDGE, STORE_PART);
      }
#undef LOAD_INSIDE
#undef LOAD_EDGE
#undef STORE_FULL
#undef STORE_PART
    }
  }
}

/*
 * y = conv(x, g) + bias, optionally through ReLU, for tiles [begin, end). The output pixel
 * (r, s) reads input rows r - pad_top .. r - pad_top + 2 (zero outside), columns likewise.
 * bias may be 0 (none).
 */
EXPORT(winograd_conv)
void winograd_conv(const float *x, int N, int H, int W, int C, int pad_top, int pad_left,
                   int OH, int OW, const float *u, int K, int KP, const float *bias, int relu,
                   float *y, float *scratch, int begin, int end) {
  const int TB = winograd_block_tiles(C, KP);
  const int tiles_w = (OW + 1) / 2, tiles_h = (OH + 1) / 2;
  const int tiles_image = tiles_w * tiles_h;
  const int VS = v_stride(C, KP), MS = m_stride(C, KP);
  float *v = scratch;
  float *m = scratch + 16 * VS;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  (void)N;
  for (int t0 = begin; t0 < end; t0 += TB) {
    const int count = end - t0 < TB ? end - t0 : TB;
    const int rows = (count + 3) & ~3;
    transform_input(x, H, W, C, pad_top, pad_left, tiles_w, tiles_image, t0, count, rows, v,
                    VS, C);
    /* 16 products [rows x C] x [C x KP]. */
    for (int p = 0; p < 16; p++) {
      const float *vp = v + p * VS, *up = u + p * C * KP;
      float *mp = m + p * MS;
      for (int i = 0; i < rows; i += 4) {
        int k = 0;
        for (; k + 8 <= KP; k += 8) gemm_4x8(vp + i * C, up + k, mp + i * KP + k, C, KP);
        if (k < KP) gemm_4x4(vp + i * C, up + k, mp + i * KP + k, C, KP);
      }
    }
    /* Y = A^T m A with A^T = [[1,1,1,0],[0,1,-1,-1]], plus bias, ReLU, stored inside OH x OW. */
    for (int i = 0; i < count; i++) {
      const int t = t0 + i, n = t / tiles_image, rem = t % tiles_image;
      const int r0 = (rem / tiles_w) * 2, s0 = (rem % tiles_w) * 2;
      float *yn = y + n * OH * OW * K;
      const int two_rows = OH - r0 >= 2, two_cols = OW - s0 >= 2;
      const int stride = MS;
      for (int k = 0; k < K; k += 4) {
        const int lanes = K - k < 4 ? K - k : 4;
        const float *mq = m + i * KP + k;
#define Q(p) wasm_v128_load(mq + (p) * stride)
        /* A^T down the columns ... */
        v128_t r00 = wasm_f32x4_add(wasm_f32x4_add(Q(0), Q(4)), Q(8));
        v128_t r01 = wasm_f32x4_add(wasm_f32x4_add(Q(1), Q(5)), Q(9));
        v128_t r02 = wasm_f32x4_add(wasm_f32x4_add(Q(2), Q(6)), Q(10));
        v128_t r03 = wasm_f32x4_add(wasm_f32x4_add(Q(3), Q(7)), Q(11));
        v128_t r10 = wasm_f32x4_sub(wasm_f32x4_sub(Q(4), Q(8)), Q(12));
        v128_t r11 = wasm_f32x4_sub(wasm_f32x4_sub(Q(5), Q(9)), Q(13));
        v128_t r12 = wasm_f32x4_sub(wasm_f32x4_sub(Q(6), Q(10)), Q(14));
        v128_t r13 = wasm_f32x4_sub(wasm_f32x4_sub(Q(7), Q(11)), Q(15));
#undef Q
        /* ... and across the rows, plus bias, through ReLU. */
        v128_t b = bias ? load_lanes(bias + k, lanes) : zero;
        v128_t y00 = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(r00, r01), r02), b);
        v128_t y01 = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_sub(r01, r02), r03), b);
        v128_t y10 = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(r10, r11), r12), b);
        v128_t y11 = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_sub(r11, r12), r13), b);
        if (relu) {
          /* pmax(o, 0) is o < 0 ? 0 : o, one maxps (a NaN stays NaN, as in tfjs's Relu). */
          y00 = wasm_f32x4_pmax(y00, zero);
          y01 = wasm_f32x4_pmax(y01, zero);
          y10 = wasm_f32x4_pmax(y10, zero);
          y11 = wasm_f32x4_pmax(y11, zero);
        }
        float *dst = yn + (r0 * OW + s0) * K + k;
        store_lanes(dst, y00, lanes);
        if (two_cols) store_lanes(dst + K, y01, lanes);
        if (two_rows) {
          store_lanes(dst + OW * K, y10, lanes);
          if (two_cols) store_lanes(dst + (OW + 1) * K, y11, lanes);
        }
      }
    }
  }
}

/* ---- The filter gradient ---------------------------------------------------------------- */

/*
 * Not by Winograd: its filter gradient, (G^T [sum over tiles (A dY A^T) (.) (B^T d B)] G), has
 * rounding errors on the scale of the largest entries, so small entries come out with large
 * relative errors, which Adam (dividing each weight's step by its own gradient's size) turns
 * into steps of the wrong size. So each tap is summed directly, as a [C x P] x [P x K] product
 * over the P output pixels whose shifted input pixel lies inside the image: every entry is a
 * plain sum of its own products, accurate relative to them.
 */

/* Floats of scratch the filter gradient needs: [9][CP][KP] accumulators. */
EXPORT(filter_grad_scratch_floats)
int filter_grad_scratch_floats(int CP, int KP) { return 9 * CP * KP; }

/* acc (4 channels by 8 outputs) += x[c..c+3] dy[k..k+7] over `length` pixels of one row. */
#define FG_ROW_4x8(xs, ds, length, C, K, SPLAT)                                                 \
  for (int q = 0; q < (length); q++) {                                                         \
    const float *xp = (xs) + q * (C), *dp = (ds) + q * (K);                                    \
    BLOCK_4x8_STEP(SPLAT(xp, 0), SPLAT(xp, 1), SPLAT(xp, 2), SPLAT(xp, 3), wasm_v128_load(dp),  \
                   wasm_v128_load(dp + 4));                                                    \
  }

/* The same with 4 outputs, any of them past K read as zero (lanes = K - k, up to 4). */
#define FG_ROW_4x4(xs, ds, length, C, K, lanes, SPLAT)                                          \
  for (int q = 0; q < (length); q++) {                                                         \
    const float *xp = (xs) + q * (C);                                                          \
    BLOCK_4x4_STEP(SPLAT(xp, 0), SPLAT(xp, 1), SPLAT(xp, 2), SPLAT(xp, 3),                     \
                   load_lanes((ds) + q * (K), lanes));                                         \
  }

/* Channel `lane` of a pixel; for the last block of channels, zero past C (never read). */
#define SPLAT_ALL(xp, lane) wasm_v128_load32_splat((xp) + (lane))
#define SPLAT_SOME(xp, lane) (lane < cl ? wasm_v128_load32_splat((xp) + (lane)) : zero)

/*
 * dg [3][3][C][K] = the filter gradient of y = conv(x, g) (3x3, stride 1, the given leading
 * pads, output OH x OW) for the output gradient dy [N][OH][OW][K]. CP and KP are C and K
 * rounded up to 4 (the accumulators' shape). A call computes taps [tap_begin, tap_end) of the
 * nine, so that threads can share the work.
 */
EXPORT(filter_grad)
void filter_grad(const float *x, int N, int H, int W, int C, int pad_top, int pad_left,
                 const float *dy, int OH, int OW, int K, int CP, int KP, float *dg,
                 float *scratch, int tap_begin, int tap_end) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = tap_begin * CP * KP; i < tap_end * CP * KP; i++) scratch[i] = 0.0f;
  /*
   * Row by row, so that the output-gradient row and the three input rows it meets stay in L1
   * while every (channel block, output block) pair of every tap runs over them; the 4x8
   * accumulator blocks are loaded and stored once per row.
   */
  for (int n = 0; n < N; n++)
    for (int r = 0; r < OH; r++) {
      const float *dyr = dy + (n * OH + r) * OW * K;
      for (int tap = tap_begin; tap < tap_end; tap++) {
        const int i = tap / 3, j = tap % 3;
        const int xr = r + i - pad_top;
        if (xr < 0 || xr >= H) continue;
        /* Output columns whose input column s + j - pad_left exists. */
        int s_lo = pad_left - j, s_hi = W + pad_left - j;
        if (s_lo < 0) s_lo = 0;
        if (s_hi > OW) s_hi = OW;
        const int length = s_hi - s_lo;
        if (length <= 0) continue;
        const float *xrow = x + ((n * H + xr) * W + s_lo + j - pad_left) * C;
        const float *drow = dyr + s_lo * K;
        float *acc = scratch + tap * CP * KP;
        for (int c = 0; c < CP; c += 4) {
          const int cl = C - c; /* channels of this block that exist (4 or more: all) */
          const float *xs = xrow + c;
          int k = 0;
          for (; k + 8 <= K; k += 8) {
            float *out = acc + c * KP + k;
            BLOCK_4x8_LOAD(out, KP);
            const float *ds = drow + k;
            if (cl >= 4) {
              FG_ROW_4x8(xs, ds, length, C, K, SPLAT_ALL)
            } else {
              FG_ROW_4x8(xs, ds, length, C, K, SPLAT_SOME)
            }
            BLOCK_4x8_STORE(out, KP);
          }
          for (; k < K; k += 4) {
            const int lanes = K - k < 4 ? K - k : 4;
            float *out = acc + c * KP + k;
            BLOCK_4x4_LOAD(out, KP);
            const float *ds = drow + k;
            if (cl >= 4) {
              FG_ROW_4x4(xs, ds, length, C, K, lanes, SPLAT_ALL)
            } else {
              FG_ROW_4x4(xs, ds, length, C, K, lanes, SPLAT_SOME)
            }
            BLOCK_4x4_STORE(out, KP);
          }
        }
      }
    }
  for (int tap = tap_begin; tap < tap_end; tap++) {
    const float *acc = scratch + tap * CP * KP;
    for (int c = 0; c < C; c++)
      for (int k = 0; k < K; k++) dg[(tap * C + c) * K + k] = acc[c * KP + k];
  }
}

/* ---- Element-wise training kernels that tfjs-wasm runs slowly ----------------------------- */

/*
 * The gradient of 2x2 stride-2 valid max pooling of x [N][H][W][C] (dy [N][H/2][W/2][C]): each
 * window's gradient goes to its first maximum in row-major order (a later pixel wins only when
 * strictly greater), as tfjs's cpu kernel decides; rows and columns no window covers get zero.
 */
EXPORT(max_pool_grad_2x2)
void max_pool_grad_2x2(const float *x, const float *dy, float *dx, int N, int H, int W, int C) {
  const int OH = H / 2, OW = W / 2;
  for (int i = 0; i < N * H * W * C; i++) dx[i] = 0.0f;
  for (int n = 0; n < N; n++)
    for (int r = 0; r < OH; r++)
      for (int s = 0; s < OW; s++) {
        const float *xa = x + ((n * H + 2 * r) * W + 2 * s) * C;
        const float *xc = xa + W * C;
        float *da = dx + (xa - x), *dc = dx + (xc - x);
        const float *g = dy + ((n * OH + r) * OW + s) * C;
        for (int c = 0; c < C; c += 4) {
          const int lanes = C - c < 4 ? C - c : 4;
          v128_t a = load_lanes(xa + c, lanes), b = load_lanes(xa + C + c, lanes);
          v128_t cc = load_lanes(xc + c, lanes), d = load_lanes(xc + C + c, lanes);
          v128_t gb = wasm_f32x4_gt(b, a);
          v128_t m1 = wasm_v128_bitselect(b, a, gb);
          v128_t gc = wasm_f32x4_gt(cc, m1);
          v128_t m2 = wasm_v128_bitselect(cc, m1, gc);
          v128_t gd = wasm_f32x4_gt(d, m2);
          /* The winner: d if gd, else c if gc, else b if gb, else a. */
          v128_t is_c = wasm_v128_andnot(gc, gd);
          v128_t is_b = wasm_v128_andnot(wasm_v128_andnot(gb, gc), gd);
          v128_t is_a = wasm_v128_not(wasm_v128_or(wasm_v128_or(gb, gc), gd));
          v128_t grad = load_lanes(g + c, lanes);
          store_lanes(da + c, wasm_v128_and(grad, is_a), lanes);
          store_lanes(da + C + c, wasm_v128_and(grad, is_b), lanes);
          store_lanes(dc + c, wasm_v128_and(grad, is_c), lanes);
          store_lanes(dc + C + c, wasm_v128_and(grad, gd), lanes);
        }
      }
}

/*
 * dst[row][0 .. width) = src[row][0 .. width) for `rows` rows, with row strides in floats: one
 * piece of a concatenation along the last axis, or of its gradient (a split).
 */
EXPORT(copy_rows)
void copy_rows(const float *src, int src_stride, float *dst, int dst_stride, int rows, int width) {
  for (int r = 0; r < rows; r++) {
    const float *s = src + r * src_stride;
    float *d = dst + r * dst_stride;
    int c = 0;
    for (; c + 4 <= width; c += 4) wasm_v128_store(d + c, wasm_v128_load(s + c));
    for (; c < width; c++) d[c] = s[c];
  }
}

/* out[c] = sum over rows of x[row][c] (a bias gradient), summed in row order. */
EXPORT(sum_rows)
void sum_rows(const float *x, int rows, int C, float *out) {
  for (int c = 0; c < C; c++) out[c] = 0.0f;
  for (int r = 0; r < rows; r++) {
    const float *row = x + r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4)
      wasm_v128_store(out + c, wasm_f32x4_add(wasm_v128_load(out + c), wasm_v128_load(row + c)));
    for (; c < C; c++) out[c] += row[c];
  }
}

/*
 * The gradient of nearest 2x upsampling (no corner alignment, no half-pixel centres) of
 * [N][H][W][C]: each input pixel sums its 2x2 block of dy [N][2H][2W][C], in row-major order.
 */
EXPORT(upsample2x_grad)
void upsample2x_grad(const float *dy, float *dx, int N, int H, int W, int C) {
  for (int n = 0; n < N; n++)
    for (int r = 0; r < H; r++)
      for (int s = 0; s < W; s++) {
        const float *a = dy + ((n * 2 * H + 2 * r) * 2 * W + 2 * s) * C;
        const float *b = a + 2 * W * C;
        float *out = dx + ((n * H + r) * W + s) * C;
        for (int c = 0; c < C; c += 4) {
          const int lanes = C - c < 4 ? C - c : 4;
          v128_t v = wasm_f32x4_add(wasm_f32x4_splat(0.0f), load_lanes(a + c, lanes));
          v = wasm_f32x4_add(v, load_lanes(a + C + c, lanes));
          v = wasm_f32x4_add(v, load_lanes(b + c, lanes));
          v = wasm_f32x4_add(v, load_lanes(b + C + c, lanes));
          store_lanes(out + c, v, lanes);
        }
      }
}
