/**
 * The shape every CLI subcommand has. src/cli/main.ts keeps a registry of these; each family
 * contributes one module under src/cli/commands/ (e.g. `llama`, `knots`, `kvcache`).
 * A command with sub-subcommands (`llama generate`) dispatches on args[0] itself.
 */
export interface CliContext {
  /** Write to standard output (a newline is not added). */
  stdout(text: string): void;
  /** Write to standard error (progress bars, warnings). */
  stderr(text: string): void;
  /** Whether stderr is a terminal (draw progress bars only then). */
  isTTY: boolean;
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
