import { UsageError } from '../cli-error.js';
import type { CliCommand } from '../command.js';
import { bashCompletion } from '../completion/bash-completion.js';
import { completionModel, SHELLS, type CompletionModel, type Shell } from '../completion/completion-model.js';
import { fishCompletion } from '../completion/fish-completion.js';
import { zshCompletion } from '../completion/zsh-completion.js';

const RENDERERS: Record<Shell, (model: CompletionModel) => string> = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

/** `commands` is read when the command runs: the table that lists this command is not built yet when it is made. */
export const completionCommand = (commands: () => readonly CliCommand[]): CliCommand => ({
  name: 'completion',
  summary: 'print a shell completion script for commands, subcommands and flags',
  usage: 'nimbus completion bash|zsh|fish',
  help: [
    'bash: nimbus completion bash > ~/.local/share/bash-completion/completions/nimbus',
    'zsh:  nimbus completion zsh > "${fpath[1]}/_nimbus"',
    'fish: nimbus completion fish > ~/.config/fish/completions/nimbus.fish',
    'Then open a new shell.',
  ],
  options: {},
  positionals: { names: ['SHELL'] },
  async run(args, ctx) {
    const shell = args.positionals[0]!;
    if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`no completion for "${shell}": use ${SHELLS.join(', ')}`, 'completion');
    ctx.write(RENDERERS[shell as Shell](completionModel(commands())));
    return 0;
  },
});
