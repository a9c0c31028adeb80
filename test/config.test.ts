import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function dir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-config-'));
}
const env = (d: string, extra: Record<string, string> = {}) => ({ HOME: d, XDG_CONFIG_HOME: path.join(d, 'cfg'), XDG_STATE_HOME: path.join(d, 'state'), ...extra });

describe('config', () => {
  it('has the seed defaults', () => {
    const d = dir();
    const c = loadConfig({ cwd: d, env: env(d) });
    expect(c.background.maxConcurrentTasks).toBe(10);
    expect(c.background.taskTimeout).toBe(30 * 60_000);
    expect(c.background.defaultDeliverTo).toEqual([]);
    expect(c.foreground.yieldAfter).toBe(30);
    expect(c.output.maxBytes).toBe(64 * 1024 * 1024);
    expect(c.dataDir).toBe(path.join(d, 'state', 'bgbash'));
  });

  it('a data dir a config file names, relative: to that file, wherever it is loaded from (as the front-end reads it)', () => {
    const d = dir();
    const project = path.join(d, 'proj');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'bgbash.config.json'), JSON.stringify({ dataDir: './state-here' }));
    const elsewhere = path.join(d, 'elsewhere');
    fs.mkdirSync(elsewhere);
    expect(loadConfig({ cwd: elsewhere, env: env(d), configFile: path.join(project, 'bgbash.config.json') }).dataDir).toBe(path.join(project, 'state-here'));
    expect(loadConfig({ cwd: elsewhere, env: env(d, { BGBASH_CONFIG: '../proj/bgbash.config.json' }) }).dataDir).toBe(path.join(project, 'state-here'));
  });

  it('project file over user file, env over files, flags over env', () => {
    const d = dir();
    fs.mkdirSync(path.join(d, 'cfg', 'bgbash'), { recursive: true });
    fs.writeFileSync(path.join(d, 'cfg', 'bgbash', 'config.json'), JSON.stringify({ background: { maxConcurrentTasks: 2, taskTimeout: '1h' } }));
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ background: { maxConcurrentTasks: 3 } }));
    let c = loadConfig({ cwd: d, env: env(d) });
    expect(c.background.maxConcurrentTasks).toBe(3);
    expect(c.background.taskTimeout).toBe(3_600_000);
    c = loadConfig({ cwd: d, env: env(d, { BGBASH_MAX_CONCURRENT_TASKS: '4' }) });
    expect(c.background.maxConcurrentTasks).toBe(4);
    c = loadConfig({ cwd: d, env: env(d, { BGBASH_MAX_CONCURRENT_TASKS: '4' }), overrides: { 'background.maxConcurrentTasks': '5' } });
    expect(c.background.maxConcurrentTasks).toBe(5);
  });

  it('names the bad key', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ background: { maxConcurrentTasks: 'lots' } }));
    expect(() => loadConfig({ cwd: d, env: env(d) })).toThrow(/background\.maxConcurrentTasks/);
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ background: { taskTimout: '5m' } }));
    expect(() => loadConfig({ cwd: d, env: env(d) })).toThrow(/unknown key "background\.taskTimout"/);
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ backgrund: {} }));
    expect(() => loadConfig({ cwd: d, env: env(d) })).toThrow(/unknown key "backgrund"/);
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), '{ not json');
    expect(() => loadConfig({ cwd: d, env: env(d) })).toThrow(ConfigError);
    fs.writeFileSync(path.join(d, 'bgbash.config.json'), JSON.stringify({ background: { taskTimeout: 'soon' } }));
    expect(() => loadConfig({ cwd: d, env: env(d) })).toThrow(/background\.taskTimeout.*not a duration/);
  });
});
