/**
 * Sign-in and first-run setup. Setup is offered only while the server says it is open.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../api/client';
import { useApi } from '../api/context';
import { errorMessage } from '../components/states';

/** Called with the CSRF token once the session cookie is set. */
type OnSignedIn = (csrfToken: string) => void;

/** E-mail + password sign-in. */
export function SignInScreen({ onSignedIn }: { onSignedIn: OnSignedIn }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await unwrap(client.api.v1.auth.login.$post({ json: { email, password } }));
      onSignedIn(session.csrfToken);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('auth.wrongCredentials'));
      else if (err instanceof ApiError && err.status === 429) setError(t('auth.tooManyAttempts'));
      else setError(errorMessage(err, t));
      setBusy(false);
    }
  };

  return (
    <form className="card auth-card" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
      <h1 id="sign-in-title">{t('auth.signInTitle')}</h1>
      <p className="muted">{t('app.tagline')}</p>
      <label className="field">
        <span className="field-label">{t('auth.email')}</span>
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label className="field">
        <span className="field-label">{t('auth.password')}</span>
        <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('auth.signingIn') : t('auth.signIn')}
      </button>
    </form>
  );
}

function guessTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** First-run setup: the owner, an organisation and a first workspace. */
export function SetupScreen({ onSignedIn, onClosed }: { onSignedIn: OnSignedIn; onClosed: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [form, setForm] = useState({ name: '', email: '', password: '', organizationName: '', workspaceName: '', timezone: guessTimeZone() });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const created = await unwrap(
        client.api.v1.setup.$post({
          json: {
            name: form.name,
            email: form.email,
            password: form.password,
            timezone: form.timezone,
            ...(form.organizationName.trim() ? { organizationName: form.organizationName } : {}),
            ...(form.workspaceName.trim() ? { workspaceName: form.workspaceName } : {}),
          },
        }),
      );
      onSignedIn(created.csrfToken);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 409) {
        setError(t('auth.setupClosed'));
        onClosed();
        return;
      }
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      setError(errorMessage(err, t));
    }
  };

  const fieldError = (name: string) =>
    fieldErrors[name] ? (
      <span className="field-error" id={`setup-${name}-error`}>
        {fieldErrors[name]}
      </span>
    ) : null;
  const describedBy = (name: string, extra?: string) => [fieldErrors[name] ? `setup-${name}-error` : '', extra ?? ''].filter(Boolean).join(' ') || undefined;

  return (
    <form className="card auth-card" onSubmit={submit} aria-labelledby="setup-title" noValidate>
      <h1 id="setup-title">{t('auth.setupTitle')}</h1>
      <p className="muted">{t('auth.setupIntro')}</p>
      <label className="field">
        <span className="field-label">{t('auth.name')}</span>
        <input name="name" autoComplete="name" required value={form.name} onChange={set('name')} aria-invalid={!!fieldErrors.name} aria-describedby={describedBy('name')} />
        {fieldError('name')}
      </label>
      <label className="field">
        <span className="field-label">{t('auth.email')}</span>
        <input type="email" name="email" autoComplete="username" required value={form.email} onChange={set('email')} aria-invalid={!!fieldErrors.email} aria-describedby={describedBy('email')} />
        {fieldError('email')}
      </label>
      <label className="field">
        <span className="field-label">{t('auth.password')}</span>
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={10}
          value={form.password}
          onChange={set('password')}
          aria-invalid={!!fieldErrors.password}
          aria-describedby={describedBy('password', 'setup-password-hint')}
        />
        <span className="field-help" id="setup-password-hint">
          {t('auth.passwordHint')}
        </span>
        {fieldError('password')}
      </label>
      <label className="field">
        <span className="field-label">
          {t('auth.organizationName')} <span className="muted">({t('common.optional')})</span>
        </span>
        <input name="organizationName" value={form.organizationName} onChange={set('organizationName')} aria-describedby={describedBy('organizationName')} />
        {fieldError('organizationName')}
      </label>
      <label className="field">
        <span className="field-label">
          {t('auth.workspaceName')} <span className="muted">({t('common.optional')})</span>
        </span>
        <input name="workspaceName" placeholder={t('auth.workspaceNamePlaceholder')} value={form.workspaceName} onChange={set('workspaceName')} aria-describedby={describedBy('workspaceName')} />
        {fieldError('workspaceName')}
      </label>
      <label className="field">
        <span className="field-label">{t('auth.timezone')}</span>
        {zones.length ? (
          <select name="timezone" value={form.timezone} onChange={set('timezone')} aria-describedby={describedBy('timezone')}>
            {!zones.includes(form.timezone) && <option value={form.timezone}>{form.timezone}</option>}
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        ) : (
          <input name="timezone" value={form.timezone} onChange={set('timezone')} aria-describedby={describedBy('timezone')} />
        )}
        {fieldError('timezone')}
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? t('auth.creating') : t('auth.createOwner')}
      </button>
    </form>
  );
}
