/**
 * Settings of a workspace: the workspace (time zone) and your language, members, invitations, API
 * tokens and webhooks, as tabs. Loaded lazily: most visits never open it.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../../api/client';
import { useApi } from '../../api/context';
import type { Workspace } from '../../api/types';
import { LanguageSwitch } from '../../components/language-switch';
import { errorMessage } from '../../components/states';
import { InvitationsSettings, MembersSettings } from './members-settings';
import { TokensSettings, WebhooksSettings } from './integrations-settings';

const tabs = ['general', 'members', 'invitations', 'tokens', 'webhooks'] as const;
type Tab = (typeof tabs)[number];
const adminTabs = new Set<Tab>(['invitations', 'tokens', 'webhooks']);

function GeneralSettings({ workspace, onNotice, onWorkspaceChanged }: { workspace: Workspace; onNotice: (text: string) => void; onWorkspaceChanged: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const id = useId();
  const [zone, setZone] = useState(workspace.timezone);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const canChange = workspace.role === 'owner' || workspace.role === 'admin';
  const zones = useMemo(() => Array.from(new Set([workspace.timezone, 'UTC', ...(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [])])), [workspace.timezone]);

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const ws = await unwrap(client.api.v1.workspaces[':workspaceId'].$patch({ param: { workspaceId: workspace.id }, json: { timezone: zone } }));
      onNotice(t('settings.general.saved', { zone: ws.timezone }));
      onWorkspaceChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="general-title" className="card settings-section">
      <h2 id="general-title">{t('settings.general.title')}</h2>
      <div className="field">
        <label htmlFor={`${id}-zone`} className="field-label">
          {t('settings.general.timezone')}
        </label>
        <div className="settings-form-inline">
          <select id={`${id}-zone`} value={zone} disabled={!canChange || busy} onChange={(e) => setZone(e.target.value)} aria-describedby={`${id}-zone-help`}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          {canChange && (
            <button type="button" className="button button-primary" disabled={busy || zone === workspace.timezone} onClick={() => void save()}>
              {busy ? t('common.saving') : t('common.save')}
            </button>
          )}
        </div>
        <span className="field-help" id={`${id}-zone-help`}>
          {canChange ? t('settings.general.timezoneHelp') : t('settings.general.cannotChange')}
        </span>
        {error != null && (
          <p className="form-error" role="alert">
            {errorMessage(error, t)}
          </p>
        )}
      </div>
      <div className="field">
        <span className="field-label">{t('settings.general.language')}</span>
        <LanguageSwitch persist />
        <span className="field-help">{t('settings.general.languageHelp')}</span>
      </div>
    </section>
  );
}

/** The Settings screen. */
export function SettingsScreen({ workspace, userId, onWorkspaceChanged }: { workspace: Workspace; userId: string; onWorkspaceChanged: () => void }) {
  const { t } = useTranslation();
  const base = useId();
  const isAdmin = workspace.role === 'owner' || workspace.role === 'admin';
  const visible = tabs.filter((tab) => isAdmin || !adminTabs.has(tab));
  const [tab, setTab] = useState<Tab>('general');
  const [notice, setNotice] = useState<string | null>(null);

  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = visible.indexOf(tab);
    const next = e.key === 'ArrowRight' ? visible[(i + 1) % visible.length] : e.key === 'ArrowLeft' ? visible[(i - 1 + visible.length) % visible.length] : null;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(`${base}-tab-${next}`)?.focus();
  };

  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('settings.title')}</h1>
      </header>
      <div className="notice" role="status" aria-live="polite">
        {notice}
      </div>
      <div className="tabs" role="tablist" aria-label={t('settings.tabsLabel')} onKeyDown={onKey}>
        {visible.map((v) => (
          <button
            key={v}
            id={`${base}-tab-${v}`}
            type="button"
            role="tab"
            aria-selected={tab === v}
            aria-controls={`${base}-panel`}
            tabIndex={tab === v ? 0 : -1}
            className="tab"
            onClick={() => {
              setTab(v);
              setNotice(null);
            }}
          >
            {t(`settings.tab.${v}`)}
          </button>
        ))}
      </div>
      <div id={`${base}-panel`} role="tabpanel" aria-labelledby={`${base}-tab-${tab}`} className="tab-panel">
        {tab === 'general' ? (
          <GeneralSettings workspace={workspace} onNotice={setNotice} onWorkspaceChanged={onWorkspaceChanged} />
        ) : tab === 'members' ? (
          <MembersSettings workspace={workspace} userId={userId} onNotice={setNotice} />
        ) : tab === 'invitations' ? (
          <InvitationsSettings workspace={workspace} onNotice={setNotice} />
        ) : tab === 'tokens' ? (
          <TokensSettings workspace={workspace} onNotice={setNotice} />
        ) : (
          <WebhooksSettings workspace={workspace} onNotice={setNotice} />
        )}
      </div>
    </div>
  );
}
