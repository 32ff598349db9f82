import { describe, expect, test } from 'vitest';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import { domainPatternProblem, expandDomainPattern, hostDomains, inheritedDomainPattern } from '../../src/domain/domain-pattern.js';
import { resolveSettings } from '../../src/domain/environment-settings.js';

describe('domains patterns', () => {
  test('a pattern needs {env}, knows only {app} and {env}, and is a host name once filled in', () => {
    expect(domainPatternProblem('{env}.shop.example.com')).toBeNull();
    expect(domainPatternProblem('{app}-{env}.example.com')).toBeNull();
    expect(domainPatternProblem('')).toBeNull();
    expect(domainPatternProblem('shop.example.com')).toContain('needs {env}');
    expect(domainPatternProblem('{app}.example.com')).toContain('needs {env}');
    expect(domainPatternProblem('{env}.{region}.example.com')).toContain('{region} is not a placeholder');
    expect(domainPatternProblem('{env}')).toContain('not a host name');
    expect(domainPatternProblem('{env}..example.com')).toContain('not a host name');
    expect(domainPatternProblem('{env}.Shop.example.com')).toContain('not a host name');
    expect(domainPatternProblem('*.{env}.example.com')).toContain('not a host name');
  });

  test("each environment gets its own name; the nearest pattern wins and \"\" stops the parent's", () => {
    expect(expandDomainPattern('{app}-{env}.example.com', 'shop', 'staging')).toBe('shop-staging.example.com');
    expect(expandDomainPattern(null, 'shop', 'staging')).toBeNull();
    expect(inheritedDomainPattern([{ domainPattern: null }, { domainPattern: '{env}.a.test' }])).toBe('{env}.a.test');
    expect(inheritedDomainPattern([{ domainPattern: '{env}.b.test' }, { domainPattern: '{env}.a.test' }])).toBe('{env}.b.test');
    expect(inheritedDomainPattern([{ domainPattern: '' }, { domainPattern: '{env}.a.test' }])).toBeNull();
    expect(inheritedDomainPattern([])).toBeNull();
  });

  test("an environment's host domains: its own, then its pattern's, once", () => {
    expect(hostDomains({ domains: ['shop.test'], patternDomain: 'dev.a.test' })).toEqual(['shop.test', 'dev.a.test']);
    expect(hostDomains({ domains: ['dev.a.test'], patternDomain: 'dev.a.test' })).toEqual(['dev.a.test']);
    expect(hostDomains({ domains: [], patternDomain: null })).toEqual([]);
  });

  test('resolveSettings shows the pattern with its source like the other settings', () => {
    const app = { replicas: 1, resources: { memoryMb: 128 }, healthCheck: DEFAULT_HEALTH_CHECK };
    const chain = [
      { name: 'dev', own: {} },
      { name: 'prod', own: { domainPattern: '{env}.shop.test' } },
    ];
    const { settings, sources } = resolveSettings(chain, app);
    expect(settings.domainPattern).toBe('{env}.shop.test');
    expect(sources.domainPattern).toEqual({ level: 'environment', environment: 'prod' });
    const stopped = resolveSettings([{ name: 'dev', own: { domainPattern: '' } }, ...chain.slice(1)], app);
    expect(stopped.settings.domainPattern).toBeNull();
    expect(stopped.sources.domainPattern).toEqual({ level: 'environment', environment: 'dev' });
    expect(resolveSettings([{ name: 'x', own: {} }], app).sources.domainPattern).toEqual({ level: 'default', environment: null });
  });
});
