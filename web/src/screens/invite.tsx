/**
 * The page an invitation link opens (`/invite#<token>`; the token stays in the fragment, so it never
 * reaches a server log): what it invites to, then a new account (name, e-mail, password) or, when
 * someone is signed in, joining as them.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../api/client';
import { useApi } from '../api/context';
import { useLoad } from '../api/use-load';
import { ErrorState, Loading, errorMessage } from '../components/states';
import { formatDate } from '../i18n/format';
import { navigate, workspacePath } from '../router';

/** The token in the page's fragment, or null. */
export function invitationToken(hash: string = window.location.hash): string | null {
  const token = decodeURIComponent(hash.replace(/^#/, '')).trim();
  return /^hinv_[A-Za-z0-9_-]{10,}$/.test(token) ? token : null;
}

/** The invitation page; `signedInAs` is the signed-in user's name, when someone is. */
export function InviteScreen({ signedInAs, onJoined }: { signedInAs: string | null; onJoined: (csrfToken: string | null) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const token = invitationToken();
  const preview = useLoad(() => (token ? unwrap(client.api.v1.invitations.preview.$post({ json: { token } })) : Promise.resolve(null)), [client, token]);
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (!token) return <p className="card auth-card form-error">{t('invite.missing')}</p>;
  if (preview.loading && !preview.data) return <Loading />;
  if (preview.error || !preview.data) return <ErrorState error={preview.error ?? new ApiError(404, { status: 404 })} />;
  const inv = preview.data;

  const accept = async (asSignedIn: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const json = asSignedIn ? { token } : { token, name: form.name, password: form.password, ...(inv.email ? {} : { email: form.email }) };
      const joined = await unwrap(client.api.v1.invitations.accept.$post({ json }));
      onJoined(joined.csrfToken);
      navigate(workspacePath(joined.workspaceId, 'compose'), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void accept(false);
  };
  const fieldErrors = error instanceof ApiError ? error.fieldErrors() : {};
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  return (
    <div className="card auth-card">
      <h1>{t('invite.title', { workspace: inv.workspaceName })}</h1>
      <p>{t('invite.intro', { role: t(`shell.role.${inv.role}`) })}</p>
      <p className="muted">{t('invite.expires', { date: formatDate(inv.expiresAt, i18n.language) })}</p>
      {signedInAs && (
        <>
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void accept(true)}>
            {t('invite.joinAs', { name: signedInAs })}
          </button>
          <p className="muted">{t('invite.orNew')}</p>
        </>
      )}
      <form onSubmit={submit} noValidate>
        <label className="field">
          <span className="field-label">{t('invite.name')}</span>
          <input type="text" autoComplete="name" required value={form.name} onChange={set('name')} aria-invalid={!!fieldErrors.name} />
          {fieldErrors.name && <span className="field-error">{fieldErrors.name}</span>}
        </label>
        <label className="field">
          <span className="field-label">{t('invite.email')}</span>
          <input type="email" autoComplete="username" required value={inv.email ?? form.email} readOnly={!!inv.email} onChange={set('email')} aria-invalid={!!fieldErrors.email} />
          {fieldErrors.email && <span className="field-error">{fieldErrors.email}</span>}
        </label>
        <div className="field">
          <label htmlFor="invite-password" className="field-label">
            {t('invite.password')}
          </label>
          <input id="invite-password" type="password" autoComplete="new-password" required value={form.password} onChange={set('password')} aria-invalid={!!fieldErrors.password} aria-describedby="invite-password-hint" />
          <span className="field-help" id="invite-password-hint">
            {fieldErrors.password ?? t('invite.passwordHint')}
          </span>
        </div>
        {error != null && (
          <p className="form-error" role="alert">
            {errorMessage(error, t)}
          </p>
        )}
        <button type="submit" className={signedInAs ? 'button' : 'button button-primary'} disabled={busy}>
          {busy ? t('invite.accepting') : t('invite.accept')}
        </button>
      </form>
    </div>
  );
}
