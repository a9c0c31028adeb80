/**
 * The CI workflow (.github/workflows/ci.yml) cannot run here: it is parsed as
 * YAML and checked for the keys GitHub Actions knows and the runs issue 24
 * asks for — Linux and macOS, Node 20 and 22, `npm ci` and `npm test` — and
 * `npm test` itself is checked to run the process tests with the ps table too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PS_FILES } from '../../vitest.ps.config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const workflow = parse(fs.readFileSync(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Keys of a workflow, a job and a step (docs.github.com, "Workflow syntax for GitHub Actions"). */
const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs'];
const JOB_KEYS = ['name', 'permissions', 'needs', 'if', 'runs-on', 'environment', 'concurrency', 'outputs', 'env', 'defaults', 'steps', 'timeout-minutes', 'strategy', 'continue-on-error', 'container', 'services', 'uses', 'with', 'secrets'];
const STEP_KEYS = ['id', 'if', 'name', 'uses', 'run', 'working-directory', 'shell', 'with', 'env', 'continue-on-error', 'timeout-minutes'];

describe('.github/workflows/ci.yml', () => {
  it('uses only keys GitHub Actions knows', () => {
    for (const k of Object.keys(workflow)) expect(WORKFLOW_KEYS).toContain(k);
    for (const job of Object.values<Record<string, unknown>>(workflow.jobs)) {
      for (const k of Object.keys(job)) expect(JOB_KEYS).toContain(k);
      for (const step of job.steps as Record<string, unknown>[]) {
        for (const k of Object.keys(step)) expect(STEP_KEYS).toContain(k);
        // A step either runs a command or uses an action, never both.
        expect(Number('run' in step) + Number('uses' in step)).toBe(1);
      }
    }
  });

  it('runs on pushes and pull requests, on Linux and macOS with Node 20 and 22', () => {
    expect(workflow.on).toHaveProperty('push');
    expect(workflow.on).toHaveProperty('pull_request');
    const job = workflow.jobs.test;
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(job.strategy.matrix.os).toEqual(expect.arrayContaining(['ubuntu-latest', 'macos-latest']));
    expect(job.strategy.matrix.node).toEqual(expect.arrayContaining([20, 22]));
    expect(job.strategy['fail-fast']).toBe(false);
  });

  it('checks out, sets up the matrix Node, then runs npm ci and npm test (the README command)', () => {
    const steps: Record<string, any>[] = workflow.jobs.test.steps;
    const uses = steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining([expect.stringMatching(/^actions\/checkout@v\d+$/), expect.stringMatching(/^actions\/setup-node@v\d+$/)]));
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))!.with['node-version']).toBe('${{ matrix.node }}');
    const runs = steps.map((s) => s.run).filter(Boolean);
    const ci = runs.indexOf('npm ci');
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm test')).toBeGreaterThan(ci);
    // System packages by platform: each step names the runner it is for.
    for (const s of steps.filter((s) => /apt-get|brew/.test(s.run ?? ''))) expect(s.if).toMatch(/^runner\.os == '(Linux|macOS)'$/);
  });

  it('npm test runs the process tests a second time with the ps table (both modes on Linux); .ci/run runs npm test', () => {
    expect(pkg.scripts.test).toMatch(/vitest run && vitest run --config vitest\.ps\.config\.ts$/);
    expect(pkg.scripts['test:ps']).toContain('vitest.ps.config.ts');
    expect(PS_FILES).toEqual(expect.arrayContaining(['test/e2e/faults.test.ts', 'test/security/kill9-reaping.test.ts', 'test/e2e/processes.test.ts', 'test/run/ports.test.ts', 'test/run/process-table.test.ts']));
    for (const f of PS_FILES) expect(fs.existsSync(path.join(ROOT, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
