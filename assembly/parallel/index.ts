// Extra exports of the shared-memory build ("simd-shared" in asconfig.json), compiled as a
// second entry beside assembly/index.ts, whose kernels it keeps. Most of them can already run on
// several threads at once over one shared memory (they touch only the memory they are given);
// l2sqrBatch/argminL2 are split so the calling thread computes the centroid norms once per call
// (rowNorms) and the threads run the row loops on blocks of points.
// Threads never allocate: alloc/free are called from the calling (main) thread only.
export { l2sqrBatchRows, argminL2Rows, rowNorms } from '../l2sqr-batch';
