/**
 * Flags an account that needs a person (expired or revoked credentials, or gone from the network),
 * the same way the publishing engine does: one guarded status change, and the
 * `account.needs_reconnect` / `account.disconnected` event only from the call that changed it.
 */
import type { Executor } from '../jobs/job-queue';
import { changeAccountStatus } from '../repositories/accounts.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';

/** Moves the account to `status` with `reason`; true when this call changed it (and recorded the event). */
export async function flagAccount(
  services: AppServices,
  executor: Executor,
  account: { id: string; workspace_id: string; network: string },
  status: 'needs_reconnect' | 'disconnected',
  reason: string,
): Promise<boolean> {
  const now = services.now().toISOString();
  if (!(await changeAccountStatus(executor, account.id, status, reason, now))) return false;
  await recordEvent(services, executor, {
    workspaceId: account.workspace_id,
    type: status === 'needs_reconnect' ? 'account.needs_reconnect' : 'account.disconnected',
    subjectId: account.id,
    actorId: null,
    payload: { accountId: account.id, network: account.network, reason },
  });
  return true;
}

/** The limits the account's server announced (stored JSON), or null when absent or unreadable. */
export function storedNetworkLimits(json: string | null): Record<string, number> | null {
  if (!json) return null;
  try {
    const raw: unknown = JSON.parse(json);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    return out;
  } catch {
    return null;
  }
}
