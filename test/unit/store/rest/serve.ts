import { join } from 'node:path';
import type { AuthConfig } from '../../../../src/server/security';
import { startTrackingServer } from '../../../../src/server/http-server';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';

/** `modelops server` on a fresh workspace store in `dir`, for the REST stores' tests (127.0.0.1, any free port). */
export interface Served {
  url: string;
  /** The server's own workspace store. */
  backing: Stores;
  /** The folder the artifact proxy serves. */
  destination: string;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** `open`: MLflow's own stage rules (as a plain `mlflow server`); default the product's guarded lifecycle. */
  stageTransitions?: 'guarded' | 'open';
  auth?: AuthConfig;
  /** No artifact proxy, new experiments' artifacts under this root (as `mlflow server --no-serve-artifacts --default-artifact-root`). */
  artifactRootWithoutProxy?: string;
}

export async function serveStore(dir: string, options: ServeOptions = {}): Promise<Served> {
  const destination = join(dir, 'served-artifacts');
  const root = options.artifactRootWithoutProxy;
  const backing = await openStores(join(dir, 'mlflow.db'), { artifactRoot: destination, artifactRootUri: root ?? 'mlflow-artifacts:/' });
  const server = await startTrackingServer(
    { tracking: backing.tracking, registry: backing.registry },
    {
      port: 0,
      ...(root === undefined ? { artifactsDestination: destination } : {}),
      ...(options.stageTransitions ? { stageTransitions: options.stageTransitions } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
    },
  );
  return {
    url: server.url,
    backing,
    destination,
    stop: async () => {
      await server.close();
      await backing.close();
    },
  };
}

/** The client environment of a test: no credentials or retry settings from the machine's own environment. */
export const CLEAN_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH };
