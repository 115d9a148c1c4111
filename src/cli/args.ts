import { InvalidArgumentError } from 'commander';

/** commander argument parser for counts, ports and lifetimes. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}
