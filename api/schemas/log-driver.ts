// An app's logging driver as the API takes it: one of Docker's built-in drivers and its
// options. Credentials are refused here (a Splunk token, a password): they belong in the
// Docker daemon's own configuration, so Berth never stores them.
import { z } from '@hono/zod-openapi';
import { LOG_DRIVERS } from '../../src/domain/app-spec.js';

const OPTION_KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CREDENTIAL_KEY = /token|password|secret|credential|private|key$/i;

export const LogDriverInput = z
  .object({
    type: z.enum(LOG_DRIVERS, { error: `type must be one of ${LOG_DRIVERS.join(', ')}` }),
    options: z
      .record(z.string().regex(OPTION_KEY, 'an option name such as max-size or syslog-address'), z.string().max(1024))
      .default({})
      .refine((o) => Object.keys(o).length <= 32, 'at most 32 options')
      .superRefine((o, ctx) => {
        for (const key of Object.keys(o)) {
          if (CREDENTIAL_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: "credentials are not stored by Berth: set them in the Docker daemon's configuration" });
        }
      }),
  })
  .strict()
  .openapi('LogDriver', { description: "Docker's logging driver for the app's containers (--log-driver, --log-opt). Berth's app logs read any driver but none." });
