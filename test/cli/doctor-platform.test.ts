/**
 * `bgbash doctor` names what this platform lacks and what bgbash does instead
 * (issue 24 item 6): no /proc (ps and lsof, waiting for input unknown), bash
 * before 4.4 (no shell state), native Windows (WSL). Linux with /proc and a
 * current bash lacks nothing and gets no line.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platformCheck, platformChecks, shellCheck } from '../../src/cli/doctor/platform.js';
import { hasProc } from '../../src/run/proc.js';
import { processTable, TABLE_VAR } from '../../src/run/process-table.js';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';

function withTable<T>(value: string | undefined, fn: () => T): T {
  const before = process.env[TABLE_VAR];
  if (value === undefined) delete process.env[TABLE_VAR];
  else process.env[TABLE_VAR] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[TABLE_VAR];
    else process.env[TABLE_VAR] = before;
  }
}

describe('doctor: what this platform lacks', () => {
  it('native Windows: not supported yet, run it under WSL', () => {
    const c = platformCheck('win32');
    expect(c).toMatchObject({ name: 'platform', status: 'fail' });
    expect(c.message).toMatch(/native Windows is not supported yet/);
    expect(c.fix).toMatch(/WSL/);
  });

  it('with the ps table: says ps and lsof stand in, and what is not known (waiting for input)', () => {
    const c = withTable('ps', () => platformChecks().find((x) => x.name === 'process table'));
    expect(c?.status).toBe('ok');
    expect(c?.message).toMatch(/^BGBASH_PROCESS_TABLE=ps: ps for task trees and markers, lsof for listening ports; not known here: waiting for input \(task_status says "unknown"\)/);
    expect(c?.message).toMatch(/the spawner \(the server starts tasks itself\)/);
  });

  it.runIf(hasProc)('Linux with /proc and bash >= 4.4: no line (nothing lacks)', () => {
    expect(withTable(undefined, () => processTable().kind)).toBe('proc');
    expect(withTable(undefined, () => platformChecks())).toEqual([]);
  });

  it("a bash before 4.4 (macOS's 3.2): commands run unchanged, no shell state, and how to get a newer one", () => {
    const dir = tempDir();
    const bash = path.join(dir, 'bash');
    // Answers the version question as bash 3.2.57 does.
    fs.writeFileSync(bash, '#!/bin/sh\necho "3 2 3.2.57(1)-release"\n', { mode: 0o755 });
    const c = shellCheck(bash);
    expect(c).toMatchObject({ name: 'shell', status: 'warn' });
    expect(c.message).toBe(`${bash} 3.2.57(1)-release is older than 4.4: commands run unchanged, but cd, export and unset do not carry to the next call (no shell state)`);
    expect(c.fix).toMatch(/bash 4\.4 or newer|brew install bash/);
  });

  it('bgbash doctor --json with BGBASH_PROCESS_TABLE=ps carries the line', () => {
    const out = execFileSync(process.execPath, [CLI, 'doctor', '--json'], { env: baseEnv({ BGBASH_DATA_DIR: tempDir(), BGBASH_PROCESS_TABLE: 'ps', NO_COLOR: '1' }), encoding: 'utf8', timeout: 120_000 });
    const checks: { name: string; message: string }[] = JSON.parse(out).checks;
    expect(checks.find((c) => c.name === 'process table')?.message).toMatch(/waiting for input \(task_status says "unknown"\)/);
  });
});
