#!/usr/bin/env node
/**
 * The `steward` bin: `steward simulate …` and `steward inspect …` run the
 * shipped commands (`--help` on either prints its usage). Each command is its
 * own module that reads `process.argv`, so this one drops the command's name
 * from it and loads only the command asked for.
 */
const COMMANDS: Readonly<Record<string, string>> = {
  simulate: './simulate.js',
  inspect: './inspect.js',
};

const USAGE = `usage: steward simulate --scenario NAME [--seeds N] | --replay LINE | --list   (steward simulate --help)
       steward inspect [DIR]   (default ./data, or STEWARD_DATA_DIR)`;

const command = process.argv[2];
const module = command === undefined ? undefined : COMMANDS[command];
if (module === undefined) {
  if (command !== undefined && command !== '--help' && command !== '-h') console.error(`unknown command '${command}'`);
  console.error(USAGE);
  process.exitCode = command === '--help' || command === '-h' ? 0 : 2;
} else {
  process.argv.splice(2, 1);
  await import(module);
}
