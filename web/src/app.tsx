/**
 * The application: decides between setup, sign-in and the signed-in shell, and routes inside a
 * workspace (`/w/<workspaceId>/<screen>`).
 */
import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from './api/client';
import { useApi } from './api/context';
import type { Me, Workspace } from './api/types';
import { useLoad } from './api/use-load';
import { LanguageSwitch } from './components/language-switch';
import { EmptyState, ErrorState, Loading } from './components/states';
import { BackgroundToasts } from './components/toasts';
import { isLocale } from './i18n/index';
import { useSearchShortcut } from './search-shortcut';
import './workspace-tools.css';
import { AccountsScreen, OAUTH_WORKSPACE_KEY } from './screens/accounts';
import { ApprovalsScreen } from './screens/approvals';
import { ComposerScreen, useComposeShortcut } from './screens/composer';
import { PostsScreen, matchPostPath } from './screens/posts';
import { SetupScreen, SignInScreen } from './screens/sign-in';
import { matchWorkspaceRoute, navigate, usePath, workspacePath } from './router';

// The calendar brings react-big-calendar and its stylesheet: loaded when first opened, so
// the shell every screen needs stays small (bench/web measures the initial JS).
type CalendarComponent = (typeof import('./screens/calendar'))['CalendarScreen'];
let calendarModule: CalendarComponent | null = null;
const loadCalendar = () =>
  import('./screens/calendar').then((m) => {
    calendarModule = m.CalendarScreen;
    return m.CalendarScreen;
  });
// Opened on a calendar address: fetch the chunk alongside the session check, not after it.
if (typeof window !== 'undefined' && /^\/w\/[^/]+\/calendar\/?$/.test(window.location.pathname)) void loadCalendar();

/**
 * The calendar once its chunk is there. Not React.lazy + Suspense: React holds a boundary's content
 * back for up to 300 ms after showing its fallback, which was most of a reload's wait here although
 * the chunk had long arrived.
 */
function CalendarRoute(props: Parameters<CalendarComponent>[0]) {
  const [Screen, setScreen] = useState<CalendarComponent | null>(() => calendarModule);
  useEffect(() => {
    if (!Screen) void loadCalendar().then((c) => setScreen(() => c));
  }, [Screen]);
  return Screen ? <Screen {...props} /> : <Loading />;
}
// Settings, the queue and the invitation page are visited rarely: they load on first use.
const SettingsScreen = lazy(() => import('./screens/settings/settings').then((m) => ({ default: m.SettingsScreen })));
const QueueScreen = lazy(() => import('./screens/queue').then((m) => ({ default: m.QueueScreen })));
const InviteScreen = lazy(() => import('./screens/invite').then((m) => ({ default: m.InviteScreen })));
// The inbox and listening (with its chart library) load on first use too.
const InboxScreen = lazy(() => import('./screens/inbox').then((m) => ({ default: m.InboxScreen })));
const ListeningScreen = lazy(() => import('./screens/listening').then((m) => ({ default: m.ListeningScreen })));
// Analytics brings its charts and heatmap: loaded on first use as well.
const AnalyticsScreen = lazy(() => import('./screens/analytics').then((m) => ({ default: m.AnalyticsScreen })));
// Reports (builder, preview, schedules, branding): loaded on first use.
const ReportsScreen = lazy(() => import('./screens/reports').then((m) => ({ default: m.ReportsScreen })));
// Campaigns (media plans, spend, ROI): loaded on first use.
const CampaignsScreen = lazy(() => import('./screens/campaigns').then((m) => ({ default: m.CampaignsScreen })));

type Session = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'signedOut'; setupOpen: boolean } | { state: 'signedIn'; me: Me };

const screens = ['accounts', 'compose', 'posts', 'calendar', 'approvals', 'queue', 'inbox', 'listening', 'analytics', 'reports', 'campaigns', 'settings'] as const;
type Screen = (typeof screens)[number];

function Shell({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const { t } = useTranslation();
  const { client, setCsrfToken } = useApi();
  const path = usePath();
  const workspaces = useLoad(() => unwrap(client.api.v1.workspaces.$get({ query: { limit: '100' } })), [client]);
  const postRoute = matchPostPath(path);
  const route = matchWorkspaceRoute(path) ?? (postRoute && { workspaceId: postRoute.workspaceId, screen: postRoute.edit ? 'compose' : 'posts' });
  const items: Workspace[] = workspaces.data?.items ?? [];
  const current = items.find((w) => w.id === route?.workspaceId) ?? null;
  useComposeShortcut(current?.id ?? null);
  useSearchShortcut(current?.id ?? null);

  // Unknown or missing workspace in the URL: go to the first one the user has. The OAuth callback
  // lands on `/accounts?connected=…`: keep its query and return to the workspace the sign-in began in.
  useEffect(() => {
    const first = items[0];
    if (workspaces.loading || !first || current) return;
    if (path === '/accounts') {
      let started: string | null = null;
      try {
        started = window.sessionStorage.getItem(OAUTH_WORKSPACE_KEY);
        window.sessionStorage.removeItem(OAUTH_WORKSPACE_KEY);
      } catch {
        // No storage: the first workspace it is.
      }
      const target = items.find((w) => w.id === started) ?? first;
      navigate(workspacePath(target.id, 'accounts') + window.location.search, { replace: true });
      return;
    }
    navigate(workspacePath(first.id, 'accounts'), { replace: true });
  }, [workspaces.loading, items, current, path]);

  const signOut = async () => {
    try {
      await unwrap(client.api.v1.auth.logout.$post());
    } catch {
      // The cookie may already be gone; signing out locally is still right.
    }
    setCsrfToken(null);
    onSignedOut();
  };

  const screen: Screen | null = route && (screens as readonly string[]).includes(route.screen) ? (route.screen as Screen) : null;

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          {t('app.name')}
        </span>
        {items.length > 0 && (
          <label className="workspace-switch">
            <span className="visually-hidden">{t('shell.workspace')}</span>
            <select value={current?.id ?? ''} onChange={(e) => navigate(workspacePath(e.target.value, screen ?? 'accounts'))}>
              {items.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <nav aria-label={t('shell.mainNavigation')} className="nav">
          {current &&
            screens.map((s) => (
              <a
                key={s}
                href={workspacePath(current.id, s)}
                aria-current={screen === s ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(workspacePath(current.id, s));
                }}
              >
                {s === 'queue' ? t('queue.title') : s === 'settings' ? t('settings.title') : s === 'inbox' ? t('inbox.title') : s === 'listening' ? t('listening.title') : s === 'analytics' ? t('analytics.title') : s === 'reports' ? t('reports.title') : s === 'campaigns' ? t('campaigns.title') : t(`shell.nav.${s}`)}
              </a>
            ))}
        </nav>
        <div className="topbar-end">
          <LanguageSwitch persist />
          <span className="user-name" title={me.user.email}>
            {t('shell.signedInAs', { name: me.user.name })}
          </span>
          {me.authMethod === 'session' && (
            <button type="button" className="button button-quiet" onClick={signOut}>
              {t('auth.signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {workspaces.loading && !workspaces.data ? (
          <Loading />
        ) : workspaces.error ? (
          <ErrorState error={workspaces.error} onRetry={workspaces.reload} />
        ) : items.length === 0 ? (
          <EmptyState>{t('shell.noWorkspaces')}</EmptyState>
        ) : !current ? (
          <Loading />
        ) : screen === 'compose' ? (
          <ComposerScreen key={`${current.id}:${postRoute?.postId ?? ''}`} workspace={current} postId={postRoute?.edit ? postRoute.postId : undefined} />
        ) : screen === 'posts' ? (
          <PostsScreen key={current.id} workspace={current} postId={postRoute?.postId} />
        ) : screen === 'calendar' ? (
          <CalendarRoute key={current.id} workspace={current} />
        ) : screen === 'approvals' ? (
          <ApprovalsScreen key={current.id} workspace={current} userId={me.user.id} />
        ) : screen === 'accounts' ? (
          <AccountsScreen key={current.id} workspace={current} />
        ) : screen === 'queue' ? (
          <Suspense fallback={<Loading />}>
            <QueueScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'inbox' ? (
          <Suspense fallback={<Loading />}>
            <InboxScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'listening' ? (
          <Suspense fallback={<Loading />}>
            <ListeningScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'analytics' ? (
          <Suspense fallback={<Loading />}>
            <AnalyticsScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'reports' ? (
          <Suspense fallback={<Loading />}>
            <ReportsScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'campaigns' ? (
          <Suspense fallback={<Loading />}>
            <CampaignsScreen key={current.id} workspace={current} />
          </Suspense>
        ) : screen === 'settings' ? (
          <Suspense fallback={<Loading />}>
            <SettingsScreen key={current.id} workspace={current} userId={me.user.id} onWorkspaceChanged={workspaces.reload} />
          </Suspense>
        ) : (
          <EmptyState>
            <p>{t('shell.notFound')}</p>
            <button type="button" className="button" onClick={() => navigate(workspacePath(current.id, 'accounts'))}>
              {t('shell.backHome')}
            </button>
          </EmptyState>
        )}
      </main>
      {current && <BackgroundToasts key={current.id} workspace={current} />}
    </div>
  );
}

/** The root component. */
export function App() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const path = usePath();

  const boot = useCallback(async () => {
    setSession({ state: 'loading' });
    try {
      const me = await unwrap(api.client.api.v1.me.$get());
      api.setCsrfToken(me.csrfToken);
      if (isLocale(me.locale) && me.locale !== i18n.language) await i18n.changeLanguage(me.locale);
      document.documentElement.lang = i18n.language;
      setSession({ state: 'signedIn', me });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) {
        setSession({ state: 'error', error: err });
        return;
      }
      try {
        const status = await unwrap(api.client.api.v1.setup.$get());
        setSession({ state: 'signedOut', setupOpen: status.setupOpen });
      } catch (e) {
        setSession({ state: 'error', error: e });
      }
    }
  }, [api, i18n]);

  useEffect(() => {
    void boot();
  }, [boot]);

  const signedIn = (csrfToken: string) => {
    api.setCsrfToken(csrfToken);
    void boot();
  };

  const onInvite = path === '/invite' && session.state !== 'loading' && session.state !== 'error';
  if (session.state === 'signedIn' && !onInvite) return <Shell me={session.me} onSignedOut={() => setSession({ state: 'signedOut', setupOpen: false })} />;

  return (
    <div className="public">
      <header className="public-header">
        <span className="brand">{t('app.name')}</span>
        <LanguageSwitch persist={false} />
      </header>
      <main id="main" className="public-main">
        {session.state === 'loading' ? (
          <Loading />
        ) : session.state === 'error' ? (
          <ErrorState error={session.error} onRetry={() => void boot()} />
        ) : onInvite ? (
          <Suspense fallback={<Loading />}>
            <InviteScreen
              signedInAs={session.state === 'signedIn' ? session.me.user.name : null}
              onJoined={(csrfToken) => {
                if (csrfToken) api.setCsrfToken(csrfToken);
                void boot();
              }}
            />
          </Suspense>
        ) : session.state === 'signedIn' ? null : session.setupOpen ? (
          <SetupScreen onSignedIn={signedIn} onClosed={() => setSession({ state: 'signedOut', setupOpen: false })} />
        ) : (
          <SignInScreen onSignedIn={signedIn} />
        )}
      </main>
    </div>
  );
}
