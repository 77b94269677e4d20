// A stand-in tune worker that dies on its first request, for tune-pool.test.ts (run as a worker
// thread through MODELOPS_TUNE_WORKER's place: the pool's script argument). Run directly, it does nothing.
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => process.exit(3));
