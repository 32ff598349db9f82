// An environment's domains and their certificates: the status of every host name (issuer,
// expiry, last error), adding one after the DNS check (--force to add it regardless), removing
// one, and uploading a certificate and key from files.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { unwrap } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';

function target(text: string): { app: string; env: string } {
  const [app, env, extra] = text.split('/');
  if (!app || !env || extra !== undefined) throw new CliError(`${text}: give APP/ENV`, EXIT.usage);
  return { app, env };
}

/** Days from now until `iso`, for the table. */
function daysLeft(iso: string): string {
  return `${Math.floor((Date.parse(iso) - Date.now()) / 86_400_000)}d`;
}

export function registerDomainCommands(program: Command, run: Run) {
  const domains = program.command('domains').description('An environment’s domains and HTTPS certificates');
  domains
    .command('list', { isDefault: true })
    .description('Every host name with the certificate served for it: issuer, expiry, last error')
    .argument('<target>', 'APP/ENV')
    .addHelpText('after', examples(['berth domains web/prod', 'berth domains list web/prod -o json']))
    .action(
      run(async (ctx, text: string) => {
        const { app, env } = target(text);
        const res = await unwrap((await ctx.client()).GET('/apps/{app}/environments/{env}/domains', { params: { path: { app, env } } }));
        if (ctx.out.format === 'json') return ctx.out.json(res.items);
        ctx.out.list(res.items, ['HOST', 'HTTPS', 'SOURCE', 'ISSUER', 'EXPIRES', 'ERROR'], (d) => [
          d.host,
          d.state,
          d.source,
          d.certificate?.issuer ?? null,
          d.certificate ? `${d.certificate.notAfter.slice(0, 10)} (${daysLeft(d.certificate.notAfter)})` : null,
          d.error,
        ]);
      }),
    );

  domains
    .command('add')
    .description('Add a domain once its DNS points at this server, and apply it')
    .argument('<target>', 'APP/ENV')
    .argument('<domain>', 'the host name (*.name for a wildcard, with https dns-01 or an uploaded certificate)')
    .option('--force', 'add it even though its DNS does not point at this server')
    .addHelpText('after', examples(['berth domains add web/prod shop.example.com', 'berth domains add web/prod shop.example.com --force']))
    .action(
      run(async (ctx, text: string, domain: string, options: { force?: boolean }) => {
        const { app, env } = target(text);
        const { data, error, response } = await (await ctx.client()).POST('/apps/{app}/environments/{env}/domains', {
          params: { path: { app, env } },
          body: { domain, force: options.force === true },
        });
        const dns = (error as { dns?: { warning: string | null } } | undefined)?.dns;
        if (response.status === 409 && dns?.warning) throw new CliError(`${dns.warning} (add it anyway with --force)`, EXIT.rejected);
        const added = await unwrap(Promise.resolve({ data, error, response }));
        if (ctx.out.format === 'json') return ctx.out.json(added);
        if (added.dns.warning) ctx.out.note(`warning: ${added.dns.warning}`);
        ctx.out.note(`added ${domain} to ${app}/${env}; \`berth domains ${app}/${env}\` shows its certificate`);
      }),
    );

  domains
    .command('remove')
    .description('Remove a domain, and apply it')
    .argument('<target>', 'APP/ENV')
    .argument('<domain>', 'the host name')
    .addHelpText('after', examples(['berth domains remove web/prod shop.example.com']))
    .action(
      run(async (ctx, text: string, domain: string) => {
        const { app, env } = target(text);
        await unwrap((await ctx.client()).DELETE('/apps/{app}/environments/{env}/domains/{domain}', { params: { path: { app, env, domain } } }));
        ctx.out.note(`removed ${domain} from ${app}/${env}`);
      }),
    );

  domains
    .command('certificate')
    .description('Upload a certificate (PEM chain, server’s first) and its key; https becomes custom')
    .argument('<target>', 'APP/ENV')
    .requiredOption('--cert <file>', 'PEM chain')
    .requiredOption('--key <file>', 'PEM private key (sealed at rest, never shown again)')
    .addHelpText('after', examples(['berth domains certificate web/prod --cert fullchain.pem --key privkey.pem']))
    .action(
      run(async (ctx, text: string, options: { cert: string; key: string }) => {
        const { app, env } = target(text);
        const read = (file: string) =>
          readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
            throw new CliError(`${file}: ${err.code ?? err.message}`, EXIT.usage);
          });
        const res = await unwrap(
          (await ctx.client()).PUT('/apps/{app}/environments/{env}/certificate', {
            params: { path: { app, env } },
            body: { certificate: await read(options.cert), key: await read(options.key) },
          }),
        );
        if (ctx.out.format === 'json') return ctx.out.json(res);
        if (res) ctx.out.note(`uploaded a certificate for ${res.names.join(', ')} from ${res.issuer}, valid until ${res.notAfter}`);
      }),
    );
}
