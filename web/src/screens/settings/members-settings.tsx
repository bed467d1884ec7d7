/**
 * Members (list, change role, remove) and invitations (one-time links with a role; list, revoke).
 * The server decides what each role may do; the UI only hides controls a role can never use.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { unwrap, type Api } from '../../api/client';
import { useApi } from '../../api/context';
import type { Workspace } from '../../api/types';
import { useLoad } from '../../api/use-load';
import { SecretOnce } from '../../components/secret-once';
import { EmptyState, ErrorState, Loading, errorMessage } from '../../components/states';
import { ConfirmRemove } from '../../components/settings-list';
import { formatDate } from '../../i18n/format';

type WsApi = Api['client']['api']['v1']['workspaces'][':workspaceId'];
type Member = InferResponseType<WsApi['members']['$get'], 200>['items'][number];
type Invitation = InferResponseType<WsApi['invitations']['$get'], 200>['items'][number];
type Role = Member['role'];

const roles: readonly Role[] = ['owner', 'admin', 'editor', 'contributor', 'viewer'];

/** Roles `mine` may hand out or touch: owners all, admins all but owner. */
function manageableRoles(mine: Role): readonly Role[] {
  if (mine === 'owner') return roles;
  if (mine === 'admin') return roles.filter((r) => r !== 'owner');
  return [];
}

function MemberRow({ member, workspace, userId, onChanged }: { member: Member; workspace: Workspace; userId: string; onChanged: (notice: string) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const allowed = manageableRoles(workspace.role);
  const canTouch = allowed.includes(member.role);
  const param = { workspaceId: workspace.id, userId: member.userId };

  const changeRole = async (role: Role) => {
    setBusy(true);
    setError(null);
    try {
      const m = await unwrap(client.api.v1.workspaces[':workspaceId'].members[':userId'].$patch({ param, json: { role } }));
      onChanged(t('settings.members.roleChanged', { name: m.name, role: t(`shell.role.${m.role}`) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId'].members[':userId'].$delete({ param }));
      onChanged(t('settings.members.removed', { name: member.name }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <li className="settings-row">
      <div className="settings-row-main">
        <span className="settings-row-title">
          {member.name} {member.userId === userId && <span className="muted">{t('settings.members.you')}</span>}
        </span>
        <span className="muted">{member.email}</span>
        <span className="muted">{t('settings.members.memberSince', { date: formatDate(member.addedAt, i18n.language, workspace.timezone) })}</span>
      </div>
      <div className="settings-row-actions">
        {canTouch ? (
          <label className="inline-field">
            <span className="visually-hidden">{t('settings.members.roleOf', { name: member.name })}</span>
            <select value={member.role} disabled={busy} onChange={(e) => void changeRole(e.target.value as Role)}>
              {allowed.map((r) => (
                <option key={r} value={r}>
                  {t(`shell.role.${r}`)}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="badge">{t(`shell.role.${member.role}`)}</span>
        )}
        {canTouch && !confirming && (
          <button type="button" className="button button-danger" aria-label={t('settings.members.removeNamed', { name: member.name })} onClick={() => setConfirming(true)}>
            {t('common.remove')}
          </button>
        )}
      </div>
      {confirming && (
        <ConfirmRemove question={t('settings.members.removeConfirm', { name: member.name })} busy={busy} onConfirm={() => void remove()} onCancel={() => setConfirming(false)} />
      )}
      {error != null && (
        <p className="form-error" role="alert">
          {errorMessage(error, t)}
        </p>
      )}
    </li>
  );
}

/** The members of the workspace. */
export function MembersSettings({ workspace, userId, onNotice }: { workspace: Workspace; userId: string; onNotice: (text: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const members = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].members.$get({ param: { workspaceId: workspace.id }, query: { limit: '200' } })), [client, workspace.id]);
  const canManage = manageableRoles(workspace.role).length > 0;
  return (
    <section aria-labelledby="members-title" className="card settings-section">
      <h2 id="members-title">{t('settings.members.title')}</h2>
      {!canManage && <p className="muted">{t('settings.members.cannotManage')}</p>}
      {members.loading && !members.data ? (
        <Loading />
      ) : members.error ? (
        <ErrorState error={members.error} onRetry={members.reload} />
      ) : !members.data?.items.length ? (
        <EmptyState>{t('settings.members.empty')}</EmptyState>
      ) : (
        <ul className="settings-list" aria-label={t('settings.members.listLabel')}>
          {members.data.items.map((m) => (
            <MemberRow
              key={`${m.userId}:${m.role}`}
              member={m}
              workspace={workspace}
              userId={userId}
              onChanged={(text) => {
                onNotice(text);
                members.reload();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Invitation links: create (shown once), list with status, revoke. */
export function InvitationsSettings({ workspace, onNotice }: { workspace: Workspace; onNotice: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].invitations;
  const list = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id }, query: { limit: '200' } })), [client, workspace.id]);
  const allowed = manageableRoles(workspace.role);
  const [role, setRole] = useState<Role>('editor');
  const [email, setEmail] = useState('');
  const [days, setDays] = useState(7);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inv = await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { role, expiresInDays: days, ...(email.trim() ? { email: email.trim() } : {}) } }));
      setCreated(inv.url);
      setEmail('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (inv: Invitation) => {
    setError(null);
    try {
      await unwrap(api[':invitationId'].$delete({ param: { workspaceId: workspace.id, invitationId: inv.id } }));
      onNotice(t('settings.invitations.revoked'));
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  if (allowed.length === 0) return <p className="muted">{t('settings.invitations.cannotManage')}</p>;
  return (
    <section aria-labelledby="invitations-title" className="card settings-section">
      <h2 id="invitations-title">{t('settings.invitations.title')}</h2>
      <p className="muted">{t('settings.invitations.intro')}</p>
      <form className="settings-form" onSubmit={create} noValidate>
        <label className="field">
          <span className="field-label">{t('settings.invitations.role')}</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {allowed.map((r) => (
              <option key={r} value={r}>
                {t(`shell.role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t('settings.invitations.email')}</span>
          <input type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} aria-describedby="invite-email-help" />
          <span className="field-help" id="invite-email-help">
            {t('settings.invitations.emailHelp')}
          </span>
        </label>
        <label className="field">
          <span className="field-label">{t('settings.invitations.validFor')}</span>
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[1, 3, 7, 14, 30].map((d) => (
              <option key={d} value={d}>
                {t('settings.invitations.days', { count: d })}
              </option>
            ))}
          </select>
        </label>
        {error != null && (
          <p className="form-error" role="alert">
            {errorMessage(error, t)}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? t('settings.invitations.creating') : t('settings.invitations.create')}
          </button>
        </div>
      </form>
      {created && (
        <SecretOnce
          title={t('settings.invitations.createdTitle')}
          help={t('settings.invitations.createdHelp')}
          label={t('settings.invitations.linkLabel')}
          value={created}
          onDone={() => setCreated(null)}
        />
      )}
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data?.items.length ? (
        <EmptyState>{t('settings.invitations.empty')}</EmptyState>
      ) : (
        <ul className="settings-list" aria-label={t('settings.invitations.listLabel')}>
          {[...list.data.items].reverse().map((inv) => {
            const who = inv.email ?? t('settings.invitations.anyone');
            return (
              <li key={inv.id} className="settings-row">
                <div className="settings-row-main">
                  <span className="settings-row-title">{who}</span>
                  <span className="muted">
                    {t(`shell.role.${inv.role}`)} · {t('settings.invitations.expiresOn', { date: formatDate(inv.expiresAt, i18n.language, workspace.timezone) })}
                  </span>
                </div>
                <div className="settings-row-actions">
                  <span className={`badge badge-invitation-${inv.status}`}>{t(`settings.invitations.status.${inv.status}`)}</span>
                  {inv.status === 'pending' && allowed.includes(inv.role) && (
                    <button type="button" className="button button-danger" aria-label={t('settings.invitations.revokeNamed', { who })} onClick={() => void revoke(inv)}>
                      {t('settings.invitations.revoke')}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
