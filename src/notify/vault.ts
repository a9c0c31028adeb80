/**
 * Where the secrets of deliver_to targets live: one 0600 file per target
 * under <data dir>/targets/<ref>, holding the target as the user wrote it.
 * Task records, tool results, logs and the CLI carry only the sealed form
 * ("slack:https://hooks.slack.com/… (ref 0123456789ab)"), so a record can be
 * shown, sent to a webhook or pasted into an issue without leaking a webhook
 * URL; delivery, retry and a restarted server open it here.
 *
 * One file per target, written once and never changed: servers sharing the
 * data dir need no lock (two sealing the same target at once only make two refs).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../shared/errors.js';
import { hasSecret, parseTarget, sealedForm, sealedRef } from './targets.js';

const REF = /^[0-9a-f]{12}$/;
const MAX_FILE = 8192;

export class TargetVault {
  private readonly byRef = new Map<string, string>();

  constructor(readonly dir: string) {}

  static in(dataDir: string): TargetVault {
    return new TargetVault(path.join(dataDir, 'targets'));
  }

  /** The form to store: secret-bearing targets sealed, others as written. Throws UserError for a bad or unknown target. */
  seal(spec: string): string {
    const ref = sealedRef(spec);
    if (ref) {
      this.open(spec);
      return spec;
    }
    const target = parseTarget(spec);
    if (!hasSecret(target)) return spec;
    const known = this.find(spec);
    if (known) return sealedForm(target, known);
    const fresh = randomBytes(6).toString('hex');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = path.join(this.dir, fresh);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, spec, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    this.byRef.set(fresh, spec);
    return sealedForm(target, fresh);
  }

  /** The target as written, for a stored form; throws UserError when its secret is missing or does not match. */
  open(stored: string): string {
    const ref = sealedRef(stored);
    if (!ref) return stored;
    const spec = this.read(ref);
    if (spec === null) throw new UserError(`deliver_to: the saved target ${stored} is not in ${this.dir} any more; give the target again`, 'deliver_to');
    const target = parseTarget(spec);
    // A planted or edited file must not send a notice somewhere the stored form does not say.
    if (!hasSecret(target) || sealedForm(target, ref) !== stored) throw new UserError(`deliver_to: the saved target ${stored} does not match its file in ${this.dir}`, 'deliver_to');
    return spec;
  }

  private read(ref: string): string | null {
    if (!REF.test(ref)) return null;
    const cached = this.byRef.get(ref);
    if (cached !== undefined) return cached;
    const file = path.join(this.dir, ref);
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile() || st.size > MAX_FILE) return null;
      const spec = fs.readFileSync(file, 'utf8');
      this.byRef.set(ref, spec);
      return spec;
    } catch {
      return null;
    }
  }

  private find(spec: string): string | null {
    for (const [ref, known] of this.byRef) if (known === spec) return ref;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return null;
    }
    for (const name of names) if (REF.test(name) && this.read(name) === spec) return name;
    return null;
  }
}
