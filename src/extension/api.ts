import type { Log } from './log';
import type { Ui } from './ui';

/**
 * What activate() returns. Other extensions get nothing useful from it; the integration tests use
 * it to read the trees and to answer prompts through the Ui seam.
 */
export interface ModelOpsApi {
  readonly log: Log;
  /** Replace the prompt/message seam (tests); returns the previous one. */
  setUi(ui: Ui): Ui;
  /** Milliseconds activate() took. */
  readonly activationMs: number;
}
