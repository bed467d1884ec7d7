/**
 * GET /posts?q= on SQLite and PostgreSQL: finds posts by any target's text, ignoring ASCII case; LIKE
 * wildcards in the search are literal; combines with the other filters; stays inside the workspace.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connector } from '../../src/connectors/connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';

const plain: Connector<{ name: string }, { name: string }> = {
  id: 'plain',
  displayName: 'Plain',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'name', label: 'Name', type: 'text', required: true }],
  credentialsSchema: z.object({ name: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
  async connect(c) {
    return { externalId: `p:${c.name}`, handle: c.name, displayName: null, serviceUrl: null, session: { name: c.name } };
  },
  validate: (v) => ({ network: 'plain', length: v.text.length, max: 500, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe.each(dialects())('post search (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false, services: { connectors: new ConnectorRegistry([plain as unknown as Connector<never, never>]) } });

  it('matches target text case-insensitively, and treats % and _ literally', async () => {
    const owner = await t.current.setupOwner();
    const ws = owner.workspaceId;
    const account = (await (await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'plain', credentials: { name: 'a' } }, owner)).json()) as { id: string };
    const make = async (text: string, variant?: string) =>
      ((await (await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text, targets: [{ accountId: account.id, ...(variant ? { text: variant } : {}) }] }, owner)).json()) as { id: string }).id;
    const launch = await make('Spring LAUNCH party');
    const sale = await make('Sale: 50% off everything');
    const fifty = await make('Sale: 50 off, and 5000 more');
    const variant = await make('base text', 'Only the variant says launch');
    const search = async (q: string, extra = '') => {
      const res = await t.current.json('GET', `/api/v1/workspaces/${ws}/posts?q=${encodeURIComponent(q)}${extra}`, undefined, owner);
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: Array<{ id: string }> }).items.map((p) => p.id);
    };
    expect(await search('launch')).toEqual([launch, variant]);
    expect(await search('50%')).toEqual([sale]);
    expect(await search('50_')).toEqual([]);
    expect((await search('50')).sort()).toEqual([sale, fifty].sort());
    expect(await search('launch', '&state=published')).toEqual([]);
    expect(await search('launch', '&limit=1')).toEqual([launch]);
    expect((await search('   ')).length).toBe(4);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts?q=${'x'.repeat(201)}`, undefined, owner)).status).toBe(422);
  });
});
