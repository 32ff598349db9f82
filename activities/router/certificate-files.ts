// Uploaded certificates in Traefik's dynamic TLS configuration: one file per environment beside
// its route file, holding the chain and the private key inline (Traefik takes PEM content where
// it takes a path), so the key exists on disk in this one file only, mode 0600, written like a
// route file (temporary file, fsync, rename): Traefik never reads half a key.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { certificateKeyContext } from '../../db/queries/certificates.js';
import { environmentCertificates, environments } from '../../db/schema/index.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

export function certificateFilePrefix(instance: string): string {
  return `${instance}--tls-`;
}

export function certificateFileName(instance: string, environmentId: string): string {
  return `${certificateFilePrefix(instance)}${environmentId}.yml`;
}

export type CertificateFiles = ReturnType<typeof createCertificateFiles>;

export function createCertificateFiles(routesDir: string, instance: string, db: Db, box: SecretBox) {
  const file = (environmentId: string) => join(routesDir, certificateFileName(instance, environmentId));

  async function writeAtomically(environmentId: string, text: string): Promise<void> {
    const temp = join(routesDir, `.${certificateFileName(instance, environmentId)}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file(environmentId));
  }

  return {
    /**
     * The environment's uploaded certificate into Traefik's configuration (or out of it when
     * there is none); unchanged files are left alone, so Traefik reloads nothing.
     */
    async sync(environmentId: string, wanted: boolean): Promise<'written' | 'removed' | 'unchanged'> {
      const [row] = wanted ? await db.select().from(environmentCertificates).where(eq(environmentCertificates.environmentId, environmentId)) : [];
      const current = await readFile(file(environmentId), 'utf8').catch(() => null);
      if (!row) {
        if (current === null) return 'unchanged';
        await rm(file(environmentId), { force: true });
        return 'removed';
      }
      const keyFile = box.open(row.keySealed, certificateKeyContext(environmentId));
      const text = JSON.stringify({ tls: { certificates: [{ certFile: row.chainPem, keyFile }] } }, null, 2);
      if (text === current) return 'unchanged';
      await writeAtomically(environmentId, text);
      return 'written';
    },

    /** Whether the environment serves an uploaded certificate now (its HTTPS mode is custom), as the database says. */
    async wantedFor(environmentId: string): Promise<boolean> {
      const [env] = await db.select({ https: environments.https }).from(environments).where(eq(environments.id, environmentId));
      return env?.https?.mode === 'custom';
    },

    async remove(environmentId: string): Promise<void> {
      await rm(file(environmentId), { force: true });
    },

    /** Environment ids of every certificate file of this instance. */
    async list(): Promise<string[]> {
      const prefix = certificateFilePrefix(instance);
      const names = await readdir(routesDir).catch(() => [] as string[]);
      return names.filter((n) => n.startsWith(prefix) && n.endsWith('.yml')).map((n) => n.slice(prefix.length, -'.yml'.length));
    },
  };
}
