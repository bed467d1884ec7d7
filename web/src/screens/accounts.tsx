/**
 * Accounts of a workspace: connect (form from the connector's declared fields), status, held posts,
 * reconnect and remove. Nothing here knows any network by name.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Network, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { CredentialForm } from '../components/credential-form';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDate } from '../i18n/format';

/** Server field paths look like `credentials.identifier`; the form wants `identifier`. */
function credentialFieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(err.fieldErrors())) {
    const name = path.startsWith('credentials.') ? path.slice('credentials.'.length) : path;
    out[name] = message;
  }
  return out;
}

/** Announces results of background actions to screen readers and eyes. */
function Notice({ text }: { text: string | null }) {
  return (
    <div className="notice" role="status" aria-live="polite">
      {text}
    </div>
  );
}

function ConnectForm({ workspace, networks, onConnected }: { workspace: Workspace; networks: Network[]; onConnected: (a: Account) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [networkId, setNetworkId] = useState(networks[0]?.id ?? '');
  const [error, setError] = useState<unknown>(null);
  const network = networks.find((n) => n.id === networkId);
  if (!network) return <EmptyState>{t('accounts.noNetworks')}</EmptyState>;

  return (
    <section className="card" aria-labelledby="connect-title">
      <h2 id="connect-title">{t('accounts.connectTitle')}</h2>
      {networks.length > 1 ? (
        <label className="field">
          <span className="field-label">{t('accounts.network')}</span>
          <select
            value={networkId}
            onChange={(e) => {
              setNetworkId(e.target.value);
              setError(null);
            }}
          >
            {networks.map((n) => (
              <option key={n.id} value={n.id}>
                {n.displayName}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p className="network-name">
          <span className="muted">{t('accounts.network')}: </span>
          {network.displayName}
        </p>
      )}
      <CredentialForm
        key={network.id}
        networkId={network.id}
        fields={network.credentialFields}
        submitLabel={t('accounts.connect')}
        busyLabel={t('accounts.connecting')}
        fieldErrors={credentialFieldErrors(error)}
        error={error ? errorMessage(error, t) : null}
        onSubmit={async (credentials) => {
          setError(null);
          try {
            const account = await unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$post({ param: { workspaceId: workspace.id }, json: { network: network.id, credentials } }));
            onConnected(account);
          } catch (err) {
            setError(err);
          }
        }}
      />
    </section>
  );
}

function AccountItem({
  account,
  network,
  workspace,
  canManage,
  onChanged,
}: {
  account: Account;
  network: Network | undefined;
  workspace: Workspace;
  canManage: boolean;
  onChanged: (notice: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [mode, setMode] = useState<'view' | 'reconnect' | 'confirmRemove'>('view');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const param = { workspaceId: workspace.id, accountId: account.id };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await unwrap(client.api.v1.workspaces[':workspaceId'].accounts[':accountId'].$delete({ param }));
      const cancelled = result.cancelledTargets ? ` ${t('accounts.cancelled', { count: result.cancelledTargets })}` : '';
      onChanged(t('accounts.removed', { handle: account.handle }) + cancelled);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <li className={`account account-${account.status}`}>
      <div className="account-main">
        <div className="account-names">
          <span className="account-handle">{account.handle}</span>
          {account.displayName && <span className="account-display-name">{account.displayName}</span>}
          <span className="muted account-network">{network?.displayName ?? account.network}</span>
        </div>
        <span className={`badge badge-${account.status}`}>
          <span className="visually-hidden">{t('accounts.status.label')}: </span>
          {t(`accounts.status.${account.status}`)}
        </span>
      </div>
      {account.status !== 'ok' && account.statusReason && <p className="account-reason">{account.statusReason}</p>}
      {account.heldPosts > 0 && (
        <p className="account-held">{t('accounts.heldPosts', { count: account.heldPosts })}</p>
      )}
      <p className="muted account-since">{t('accounts.connectedOn', { date: formatDate(account.createdAt, i18n.language, workspace.timezone) })}</p>

      {canManage && mode === 'view' && (
        <div className="form-actions">
          <button
            type="button"
            className={account.status === 'ok' ? 'button' : 'button button-primary'}
            aria-label={t('accounts.reconnectTitle', { handle: account.handle })}
            onClick={() => setMode('reconnect')}
          >
            {t('accounts.reconnect')}
          </button>
          <button type="button" className="button button-danger" aria-label={t('accounts.removeNamed', { handle: account.handle })} onClick={() => setMode('confirmRemove')}>
            {t('common.remove')}
          </button>
        </div>
      )}
      {mode === 'confirmRemove' && (
        <div className="confirm" role="group" aria-label={t('accounts.removeConfirm', { handle: account.handle })}>
          <p>{t('accounts.removeConfirm', { handle: account.handle })}</p>
          <div className="form-actions">
            <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
              {t('common.confirmRemove')}
            </button>
            <button type="button" className="button" onClick={() => setMode('view')} disabled={busy}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      {mode === 'reconnect' && network && (
        <div className="reconnect">
          <h3>{t('accounts.reconnectTitle', { handle: account.handle })}</h3>
          <CredentialForm
            networkId={network.id}
            fields={network.credentialFields}
            submitLabel={t('accounts.reconnect')}
            busyLabel={t('accounts.connecting')}
            fieldErrors={credentialFieldErrors(error)}
            error={error ? errorMessage(error, t) : null}
            onCancel={() => {
              setMode('view');
              setError(null);
            }}
            onSubmit={async (credentials) => {
              setError(null);
              try {
                const result = await unwrap(client.api.v1.workspaces[':workspaceId'].accounts[':accountId'].reconnect.$post({ param, json: { credentials } }));
                const resumed = result.resumed ? ` ${t('accounts.resumed', { count: result.resumed })}` : '';
                onChanged(t('accounts.reconnected', { handle: result.handle }) + resumed);
              } catch (err) {
                setError(err);
              }
            }}
          />
        </div>
      )}
      {mode !== 'reconnect' && error != null && <ErrorState error={error} />}
    </li>
  );
}

/** The Accounts screen of one workspace. */
export function AccountsScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [notice, setNotice] = useState<string | null>(null);
  // A fresh key empties the connect form after a success.
  const [connectCount, setConnectCount] = useState(0);
  const networks = useLoad(() => unwrap(client.api.v1.networks.$get()), [client]);
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const canManage = workspace.role === 'owner' || workspace.role === 'admin';

  const changed = (text: string) => {
    setNotice(text);
    accounts.reload();
  };

  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('accounts.title')}</h1>
        <p className="muted">{t('accounts.intro')}</p>
      </header>
      <Notice text={notice} />
      <div className="accounts-layout">
        <section aria-labelledby="accounts-list-title" className="accounts-list">
          <h2 id="accounts-list-title" className="visually-hidden">
            {t('accounts.listLabel')}
          </h2>
          {accounts.loading && !accounts.data ? (
            <Loading />
          ) : accounts.error ? (
            <ErrorState error={accounts.error} onRetry={accounts.reload} />
          ) : !accounts.data?.items.length ? (
            <EmptyState>{t('accounts.empty')}</EmptyState>
          ) : (
            <ul className="account-list" aria-label={t('accounts.listLabel')}>
              {accounts.data.items.map((a) => (
                <AccountItem
                  key={`${a.id}:${a.updatedAt}`}
                  account={a}
                  network={networks.data?.items.find((n) => n.id === a.network)}
                  workspace={workspace}
                  canManage={canManage}
                  onChanged={changed}
                />
              ))}
            </ul>
          )}
        </section>
        <aside className="accounts-connect">
          {!canManage ? (
            <p className="muted">{t('accounts.cannotManage')}</p>
          ) : networks.loading && !networks.data ? (
            <Loading />
          ) : networks.error ? (
            <ErrorState error={networks.error} onRetry={networks.reload} />
          ) : (
            <ConnectForm
              key={`${workspace.id}:${connectCount}`}
              workspace={workspace}
              networks={networks.data?.items ?? []}
              onConnected={(a) => {
                setConnectCount((n) => n + 1);
                changed(t('accounts.connected', { handle: a.handle }));
              }}
            />
          )}
        </aside>
      </div>
    </div>
  );
}
