import type { CommandSpec } from './command';
import { dbCommands } from './commands/db';
import { doctorCommand } from './commands/doctor';
import { experimentCommands } from './commands/experiments';
import { pipelineCommands } from './commands/pipeline';
import { registryCommands } from './commands/registry-commands';
import { runCommands } from './commands/runs';
import { serveCommand } from './commands/serve';
import { serverCommand } from './commands/server';
import { studiesImportCommand } from './commands/studies-import';
import { syncCommand } from './commands/sync';
import { trainCommand } from './commands/train';
import { studyCommands, tuneCommand } from './commands/tune';

/**
 * Every `modelops` command. To add one, write `src/cli/commands/<group>.ts` exporting its
 * CommandSpec(s) and add ONE line here (keep groups together; order is the order of `--help`).
 */
export const COMMANDS: readonly CommandSpec[] = [
  ...experimentCommands,
  ...runCommands,
  trainCommand,
  tuneCommand,
  ...studyCommands,
  studiesImportCommand,
  ...registryCommands,
  ...pipelineCommands,
  serverCommand,
  serveCommand,
  syncCommand,
  ...dbCommands,
  doctorCommand,
];
