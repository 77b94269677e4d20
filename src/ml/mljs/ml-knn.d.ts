// ml-knn 3 ships no types; only what the wrapper uses is declared.
declare module 'ml-knn' {
  class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number });
    kdTree: { nearest(point: number[], k: number): Array<[number[], number]> };
    predict(dataset: number[][]): number[];
  }
  export = KNN;
}
