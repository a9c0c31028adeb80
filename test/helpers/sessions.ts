/** Agent sessions for daemon tests: each test's sessions are closed after it (call `closeSessions` in afterEach). */
import fs from 'node:fs';
import path from 'node:path';
import { readRecord, startServer, type TestServer } from './server.js';

const opened: TestServer[] = [];

export async function session(opts: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const s = await startServer(opts);
  opened.push(s);
  return s;
}

export async function closeSessions(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
}

/** A task that runs until its gate file appears. */
export const gated = (dir: string, name: string): string => `while [ ! -e ${dir}/${name} ]; do sleep 0.05; done; echo ${name}`;
export const openGate = (dir: string, name: string): void => fs.writeFileSync(path.join(dir, name), '');
export const state = (s: TestServer, id: string): string => readRecord(s.dataDir, id).state;
