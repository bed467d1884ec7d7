/**
 * Accounts of a workspace: connect (form from the connector's declared fields), status, held posts,
 * reconnect and remove. Nothing here knows any network by name.
 */
import { useEffect, useState } from 'react';
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

/** Server field paths of the sign-in start look like `fields.community`; the form wants `community`. */
function startFieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(err.fieldErrors())) out[path.startsWith('fields.') ? path.slice('fields.'.length) : path] = message;
  return out;
}

/** Sends the browser to the network's sign-in page (tests pass their own). */
export type Redirect = (url: string) => void;
const browserRedirect: Redirect = (url) => window.location.assign(url);

/** Where an OAuth sign-in started, so the callback's `/accounts?…` lands in the same workspace. */
export const OAUTH_WORKSPACE_KEY = 'herald.oauth.workspace';

/**
 * "Connect with <network>" (or reconnect `accountId`): the server address when the network needs one
 * and the connector's declared start fields, then POST …/accounts/oauth/start and off to the network.
 */
function OAuthConnect({ workspace, network, account, redirect, onCancel }: { workspace: Workspace; network: Network; account?: Account; redirect: Redirect; onCancel?: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [error, setError] = useState<unknown>(null);
  const oauth = network.oauth;
  if (!oauth?.available) return null;
  const fields = [
    ...(oauth.needsServiceUrl && !account?.serviceUrl
      ? [{ name: 'serviceUrl', label: t('accountsExtras.serviceUrl'), type: 'url' as const, required: true, placeholder: 'https://', help: t('accountsExtras.serviceUrlHelp') }]
      : []),
    ...oauth.startFields,
  ];
  const label = account ? t('accountsExtras.reconnectWith', { network: network.displayName }) : t('accountsExtras.connectWith', { network: network.displayName });
  return (
    <div className="oauth-connect">
      <CredentialForm
        networkId={network.id}
        fields={fields}
        submitLabel={label}
        busyLabel={t('accountsExtras.redirecting', { network: network.displayName })}
        fieldErrors={startFieldErrors(error)}
        error={error ? errorMessage(error, t) : null}
        onCancel={onCancel}
        onSubmit={async (values) => {
          setError(null);
          const { serviceUrl, ...rest } = values;
          try {
            const started = await unwrap(
              client.api.v1.workspaces[':workspaceId'].accounts.oauth.start.$post({
                param: { workspaceId: workspace.id },
                json: {
                  network: network.id,
                  ...(serviceUrl || account?.serviceUrl ? { serviceUrl: serviceUrl ?? account?.serviceUrl ?? undefined } : {}),
                  ...(account ? { accountId: account.id } : {}),
                  ...(Object.keys(rest).length ? { fields: rest } : {}),
                },
              }),
            );
            try {
              window.sessionStorage.setItem(OAUTH_WORKSPACE_KEY, workspace.id);
            } catch {
              // Without storage the callback lands in the first workspace; the account is connected all the same.
            }
            redirect(started.authorizeUrl);
          } catch (err) {
            setError(err);
          }
        }}
      />
    </div>
  );
}

/** Announces results of background actions to screen readers and eyes. */
function Notice({ text }: { text: string | null }) {
  return (
    <div className="notice" role="status" aria-live="polite">
      {text}
    </div>
  );
}

function ConnectForm({ workspace, networks, onConnected, redirect }: { workspace: Workspace; networks: Network[]; onConnected: (a: Account) => void; redirect: Redirect }) {
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
      {network.oauth?.available && <OAuthConnect key={`oauth-${network.id}`} workspace={workspace} network={network} redirect={redirect} />}
      {network.oauth && !network.oauth.available && (
        <p className="muted">{t('accountsExtras.oauthUnavailable', { network: network.displayName, reason: network.oauth.reason ?? '' })}</p>
      )}
      {network.oauth?.available && network.credentialFields.length > 0 && <p className="muted">{t('accountsExtras.orCredentials')}</p>}
      {network.credentialFields.length > 0 && <CredentialForm
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
      />}
    </section>
  );
}

function AccountItem({
  account,
  network,
  workspace,
  canManage,
  onChanged,
  redirect,
}: {
  account: Account;
  network: Network | undefined;
  workspace: Workspace;
  canManage: boolean;
  onChanged: (notice: string) => void;
  redirect: Redirect;
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
      {account.expiry === 'expiring_soon' && account.expiresInDays !== null && (
        <p className="account-expiry">{t('accountsExtras.expiresIn', { count: Math.max(0, account.expiresInDays) })}</p>
      )}
      {account.expiry === 'expired' && <p className="account-expiry account-expiry-expired">{t('accountsExtras.expired')}</p>}
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
          {network.oauth?.available && (
            <OAuthConnect workspace={workspace} network={network} account={account} redirect={redirect} onCancel={network.credentialFields.length ? undefined : () => setMode('view')} />
          )}
          {network.oauth?.available && network.credentialFields.length > 0 && <p className="muted">{t('accountsExtras.orCredentials')}</p>}
          {network.credentialFields.length > 0 && <CredentialForm
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
          />}
        </div>
      )}
      {mode !== 'reconnect' && error != null && <ErrorState error={error} />}
    </li>
  );
}

/** `?connected=<id>` or `?oauthError=<message>` the OAuth callback redirects back with. */
function takeOAuthResult(): { connected: string | null; error: string | null } {
  const params = new URLSearchParams(window.location.search);
  const result = { connected: params.get('connected'), error: params.get('oauthError') };
  if (result.connected !== null || result.error !== null) {
    params.delete('connected');
    params.delete('oauthError');
    const rest = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : ''));
  }
  return result;
}

/** The Accounts screen of one workspace. */
export function AccountsScreen({ workspace, redirect = browserRedirect }: { workspace: Workspace; redirect?: Redirect }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [notice, setNotice] = useState<string | null>(null);
  const [oauthError, setOauthError] = useState<string | null>(null);
  useEffect(() => {
    const r = takeOAuthResult();
    if (r.connected !== null) setNotice(t('accountsExtras.oauthConnected'));
    if (r.error !== null) setOauthError(t('accountsExtras.oauthError', { message: r.error }));
    // Once, on arrival from the network's sign-in page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
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
      {oauthError && (
        <p className="form-error" role="alert">
          {oauthError}
        </p>
      )}
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
                  redirect={redirect}
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
              redirect={redirect}
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
