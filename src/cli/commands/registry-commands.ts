import type { CommandSpec } from '../command';
import { aliasDeleteCommand, aliasSetCommand, modelsHistoryCommand, modelsListCommand, modelsShowCommand } from './models';
import { predictCommand } from './predict';
import { archiveCommand, promoteCommand, rejectCommand } from './promote';
import { registerCommand, validateCommand } from './register';

/** The model registry's commands, in help order (issue 4). */
export const registryCommands: readonly CommandSpec[] = [
  registerCommand,
  validateCommand,
  promoteCommand,
  rejectCommand,
  archiveCommand,
  modelsListCommand,
  modelsShowCommand,
  modelsHistoryCommand,
  aliasSetCommand,
  aliasDeleteCommand,
  predictCommand,
];
