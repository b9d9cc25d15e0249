import { type Command, defineCommand } from '../command-tree.js';
import { renderHelp } from '../help.js';

/** cobra's `help [command]`. */
export function helpCommand(root: () => Command) {
  return defineCommand({
    use: 'help [command]',
    short: 'Help about any command',
    long: `Help provides help for any command in the application.
Simply type etcdctl help [path to command] for full details.`,
    run: async (ctx, args) => {
      const showExtras = Boolean(ctx.io.stdout.isTTY);
      let target = root();
      for (const word of args) {
        const next = target.commands.find((c) => c.name() === word);
        if (!next) {
          // cobra's Find fails only for an unknown word at the root; deeper, the group itself is the topic.
          if (target === root()) {
            ctx.io.stderr.write(`Unknown help topic [${args.map((a) => `\`${a}\``).join(' ')}]\n`);
            ctx.io.stdout.write(renderHelp(target, showExtras, false));
            return;
          }
          break;
        }
        target = next;
      }
      ctx.io.stdout.write(renderHelp(target, showExtras));
    },
  });
}
