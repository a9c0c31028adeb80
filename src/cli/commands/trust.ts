/**
 * `bgbash trust [DIR]`: let DIR's ./bgbash.config.json (default: the current
 * directory's) set everything — runners, backends, deliver targets, http.*,
 * attach, the data dir, the session, retention. Until then a project's config
 * may set only what config/project-trust.ts calls safe. `--remove` takes the trust
 * back; `--list` shows the trusted directories. Written to the user's own
 * config file (trustedProjects), which a project cannot set.
 */
import { userConfigPath } from '../../config.js';
import { realDir } from '../../config/project-trust.js';
import { readJson, writeJson } from '../config-merge.js';
import { CliError, type Cli } from '../context.js';
import { JSON_OPTION, type CommandSpec } from '../command.js';

export const spec: CommandSpec = {
  usage: '[DIR] [--remove | --list] [--json]',
  description:
    "Trust DIR's bgbash.config.json (default: this directory's) to set every key: runners, backends, deliver targets\n(background.defaultDeliverTo), http.*, attach.detachKey, dataDir, session and retention. Until then a project's\nconfig may set only background limits and timeouts (maxConcurrentTasks, taskTimeout, killGrace, killLeftovers,\ndefaultRunner) and the foreground, output, terminal, input and notices settings. telegram is never read from a\nproject. Recorded in your own config (trustedProjects).",
  options: {
    ...JSON_OPTION,
    remove: { type: 'boolean', help: 'Take the trust back: the project may again set only the keys above' },
    list: { type: 'boolean', help: 'Show the trusted directories' },
  },
  maxArgs: 1,
  repair: false,
  examples: ['bgbash trust', 'bgbash trust ~/src/myrepo', 'bgbash trust --remove', 'bgbash trust --list'],
};

export async function run(cli: Cli): Promise<number> {
  const file = userConfigPath();
  const config = readJson(file);
  const list = config.trustedProjects ?? [];
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw new CliError(`"trustedProjects" in ${file} is not a list of directories; fix it by hand`);
  if (cli.args.flags.has('--list')) {
    if (cli.json) cli.out(JSON.stringify(list, null, 2));
    else cli.out(list.length ? list.join('\n') : `No trusted projects (${file}).`);
    return 0;
  }
  const dir = realDir(cli.args.positionals[0] ?? process.cwd());
  const has = list.some((t) => realDir(t) === dir);
  if (cli.args.flags.has('--remove')) {
    if (!has) return cli.out(`${dir} was not trusted; nothing to do.`), 0;
    config.trustedProjects = list.filter((t) => realDir(t) !== dir);
    writeJson(file, config, false);
    cli.out(`No longer trusted: ${dir}. Its bgbash.config.json may set only limits, timeouts, output and terminal settings again.`);
    return 0;
  }
  if (has) return cli.out(`${dir} is already trusted.`), 0;
  config.trustedProjects = [...list, dir];
  writeJson(file, config, false);
  cli.out(`Trusted: ${dir}. Its bgbash.config.json may now set every key: runners, backends, deliver targets, http.*, attach, dataDir, session and retention (recorded in ${file}).`);
  return 0;
}
