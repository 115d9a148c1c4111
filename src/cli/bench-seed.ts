import type { Command } from 'commander';

export function registerBenchSeedCommands(_program: Command): void {}
