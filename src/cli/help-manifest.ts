/**
 * `evsynth --help` without loading the engine. The command tree (commands, arguments, options with their
 * descriptions, defaults and choices) is written to a JSON manifest when the CLI is built (scripts/build-cli.mjs,
 * from the program in ./main.ts, so it is declared once); the bundled entry (./launch.ts) answers a request for
 * help or the version from it with commander itself, so the text, its wrapping to the terminal and the exit code
 * are those of the full program. Anything else loads the full CLI.
 */
import { Argument, Command, Option } from 'commander';

/** An option as the help shows it. */
interface OptionEntry {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: unknown;
  readonly defaultValueDescription?: string;
  readonly choices?: readonly string[];
  readonly hidden?: boolean;
}
/** An argument as the help shows it. */
interface ArgumentEntry {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
  readonly description: string;
  readonly defaultValue?: unknown;
  readonly choices?: readonly string[];
}
/** A command as the help shows it; the root carries the program's name, description and version flag. */
export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  readonly arguments: readonly ArgumentEntry[];
  readonly options: readonly OptionEntry[];
  readonly commands: readonly CommandEntry[];
}

/** The manifest of a commander program: what its help shows, as JSON (no actions, no argument parsers). */
export function commandManifest(cmd: Command): CommandEntry {
  return {
    name: cmd.name(),
    description: cmd.description(),
    arguments: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      description: a.description,
      ...(a.defaultValue !== undefined ? { defaultValue: a.defaultValue } : {}),
      ...(a.argChoices ? { choices: a.argChoices } : {}),
    })),
    options: cmd.options.map((o) => ({
      flags: o.flags,
      description: o.description,
      ...(o.defaultValue !== undefined ? { defaultValue: o.defaultValue } : {}),
      ...(o.defaultValueDescription !== undefined ? { defaultValueDescription: o.defaultValueDescription } : {}),
      ...(o.argChoices ? { choices: o.argChoices } : {}),
      ...(o.hidden ? { hidden: true } : {}),
    })),
    commands: cmd.commands.map(commandManifest),
  };
}

/**
 * The commands of `entry` as commander commands. Only the commands in `full` get all their options: the others
 * appear in their parent's help as a line (name, `[options]` when they have any, arguments, description), for
 * which their first option is enough — building every option of every command would cost more than the rest of
 * answering (tests/help-manifest.test.ts checks the texts equal the full program's).
 */
function rebuild(entry: CommandEntry, cmd: Command, full: (name: string) => boolean): Command {
  cmd.description(entry.description);
  for (const a of entry.arguments) {
    const arg = new Argument(
      a.required ? `<${a.name}${a.variadic ? '...' : ''}>` : `[${a.name}${a.variadic ? '...' : ''}]`,
      a.description,
    );
    if (a.defaultValue !== undefined) arg.default(a.defaultValue);
    if (a.choices) arg.choices(a.choices);
    cmd.addArgument(arg);
  }
  for (const o of full(entry.name) ? entry.options : entry.options.slice(0, 1)) {
    const opt = new Option(o.flags, o.description);
    if (o.defaultValue !== undefined) opt.default(o.defaultValue, o.defaultValueDescription);
    if (o.choices) opt.choices(o.choices);
    if (o.hidden) opt.hideHelp();
    cmd.addOption(opt);
  }
  for (const sub of entry.commands) rebuild(sub, cmd.command(sub.name), full).action(() => undefined);
  return cmd;
}

/**
 * Is `argv` only a request for help or the version (`[]`, `--help`, `-h`, `--version`, `-V`, `help`,
 * `help <command>`, `<command> --help`)? Those the manifest answers; with anything more (option values that
 * the full program would check first, unknown commands) the full CLI runs.
 */
export function isHelpRequest(argv: readonly string[], manifest: CommandEntry): boolean {
  const known = (name: string | undefined) => manifest.commands.some((c) => c.name === name);
  const help = (a: string | undefined) => a === '--help' || a === '-h';
  if (argv.length === 0) return true;
  if (argv.length === 1) return help(argv[0]) || argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'help';
  if (argv.length === 2) return (argv[0] === 'help' && known(argv[1])) || (known(argv[0]) && help(argv[1]));
  return false;
}

/**
 * Answers a help or version request from the manifest as the full program does (./main.ts): commander prints
 * the help (to standard output, or to standard error when no command is given) and the exit code is 0.
 */
export function answerHelpRequest(argv: readonly string[], manifest: CommandEntry, version: string): number {
  // the root's version flag is commander's own (.version); the manifest's copy of it is left out
  const root = { ...manifest, options: manifest.options.filter((o) => o.flags !== VERSION_FLAGS) };
  // the command whose help is asked for (none: the program's)
  const asked = argv[0] === 'help' ? argv[1] : argv[0];
  // settings first: subcommands copy them when they are created, as in the full program
  const program = rebuild(
    root,
    new Command(manifest.name)
      .version(version)
      .exitOverride()
      .configureOutput({ writeErr: (s) => process.stderr.write(s) }),
    (name) => name === manifest.name || name === asked,
  );
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    throw e;
  }
  return 0;
}
const VERSION_FLAGS = '-V, --version';
