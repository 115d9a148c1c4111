import type { Command } from 'commander';
import { loadConfig } from '../config';
import { activateKey, loadKeyRing, retireKey, rotateKey } from '../identity/keys';

const KEY_NAMES = ['issuer', 'gateway', 'audit'];

/** `hub keys …`: list, rotate, activate and retire signing keys in HUB_KEYS_DIR (see README, "Key rotation"). */
export function registerOpsCommands(program: Command): void {
  const keys = program.command('keys').description(`signing keys in HUB_KEYS_DIR (${KEY_NAMES.join(', ')}): list, rotate, activate, retire`);
  const checkName = (name: string) => {
    if (!KEY_NAMES.includes(name)) throw new Error(`key name must be one of ${KEY_NAMES.join(', ')}`);
    return name;
  };
  keys
    .command('list')
    .description('kids per key name; * marks the signing key')
    .action(async () => {
      const { keysDir } = loadConfig();
      for (const name of KEY_NAMES) {
        const ring = await loadKeyRing(keysDir, name);
        for (const jwk of ring.publicJwks) process.stdout.write(`${name.padEnd(8)} ${jwk.kid === ring.active?.kid ? '*' : ' '} ${jwk.kid}\n`);
      }
    });
  keys
    .command('rotate <name>')
    .description('add a new key; it signs from now on unless --no-activate (then run `hub keys activate` once every verifier has it)')
    .option('--no-activate', 'add the key as trusted only')
    .action(async (name: string, opts: { activate: boolean }) => {
      const kid = await rotateKey(loadConfig().keysDir, checkName(name), { activate: opts.activate });
      process.stdout.write(`${kid}\n`);
    });
  keys
    .command('activate <name> <kid>')
    .description('make an existing key the signing key')
    .action(async (name: string, kid: string) => activateKey(loadConfig().keysDir, checkName(name), kid));
  keys
    .command('retire <name> <kid>')
    .description('move a key to retired/: tokens and identities it signed no longer verify (audit checkpoints still do)')
    .action(async (name: string, kid: string) => {
      const moved = await retireKey(loadConfig().keysDir, checkName(name), kid);
      process.stdout.write(`retired ${moved.join(', ')}\n`);
    });
}
