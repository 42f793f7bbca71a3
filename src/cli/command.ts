/**
 * The shape every CLI subcommand has. Each family contributes one module under
 * src/cli/commands/ (e.g. `llama`, `knots`, `kvcache`); src/cli/main.ts keeps a registry of
 * LazyCliCommands, so a run imports only the module of the command it runs.
 * A command with sub-subcommands (`llama generate`) dispatches on args[0] itself.
 */
export interface CliContext {
  /** Write to standard output (a newline is not added). */
  stdout(text: string): void;
  /** Write to standard error (progress bars, warnings). */
  stderr(text: string): void;
  /** Whether stderr is a terminal (draw progress bars only then). */
  isTTY: boolean;
  /**
   * When stderr is not a terminal: write a plain progress line at most this often (seconds), so a
   * long run under `nohup … > log` shows how far it got. Unset: silent (the default, for pipes).
   */
  progressLogSeconds?: number;
  /** Fires on Ctrl-C so long work can stop cleanly. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** The word after `sparse-inference`. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** Full usage text printed by `--help`. */
  usage: string;
  /** Run with the arguments after the command name; resolves to the exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/**
 * A registry entry that knows its name and summary (for the top-level help) and imports the
 * command's module only when the command is asked for: its usage or its run.
 */
export interface LazyCliCommand {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** What a registry holds: commands already loaded (tests pass these) or lazy ones. */
export type CliCommandEntry = CliCommand | LazyCliCommand;

/** The command an entry stands for, importing its module if it is lazy. */
export function loadCommand(entry: CliCommandEntry): Promise<CliCommand> {
  return 'load' in entry ? entry.load() : Promise.resolve(entry);
}
