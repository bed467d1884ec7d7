/**
 * Calendar of a workspace's posts (month, week, list) in the workspace's time zone, coloured by status
 * and network through CSS classes. Dragging a post asks the server to reschedule it (the server
 * validates; on refusal the post stays where it was and the reason is shown). Clicking a post opens its
 * details: each target's state, the network's error in plain words, and the published post's link.
 *
 * react-big-calendar is used instead of FullCalendar 6: FullCalendar injects its CSS into a runtime
 * <style> element, which the CSP (style-src 'self') blocks — and since 6.1.8 it then throws
 * (fullcalendar/fullcalendar#7353). react-big-calendar ships a plain stylesheet and positions events
 * through the CSSOM, which the CSP allows.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { Calendar, type View } from 'react-big-calendar';
import * as dragAndDrop from 'react-big-calendar/lib/addons/dragAndDrop';
import type { EventInteractionArgs } from 'react-big-calendar/lib/addons/dragAndDrop';
import 'react-big-calendar/lib/css/react-big-calendar.css';
import 'react-big-calendar/lib/addons/dragAndDrop/styles.css';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import {
  calendarPlaceSearch,
  eventMinutes,
  dayToWallClock,
  filterPosts,
  parseCalendarPlace,
  scaleSlots,
  timeScales,
  toCalendarEvents,
  toScheduleInput,
  toWallClock,
  wallClockDay,
  type CalendarEvent,
  type CalendarState,
  type CalendarViewName,
  type TimeScale,
} from '../calendar/calendar-events';
import { nativeLocalizer } from '../calendar/native-localizer';
import { ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime } from '../i18n/format';
import { workspacePath } from '../router';
import type { ApprovalPost } from './approvals';

type CalendarItem = InferResponseType<ReturnType<typeof useApi>['client']['api']['v1']['workspaces'][':workspaceId']['calendar']['$get'], 200>['items'][number];

const localizer = nativeLocalizer(1);
// The add-on is Babel-built CommonJS: the bundler hands over either the function or the exports object.
type WithDragAndDrop = typeof dragAndDrop.default;
const dndInterop = dragAndDrop as unknown as { default: WithDragAndDrop | { default: WithDragAndDrop } };
const withDragAndDrop: WithDragAndDrop = typeof dndInterop.default === 'function' ? dndInterop.default : dndInterop.default.default;
const DnDCalendar = withDragAndDrop<CalendarEvent>(Calendar);
/** A ref that always holds the latest value (a stable callback can call the current closure). */
function useLatest<T>(value: T): { readonly current: T } {
  const [ref] = useState(() => ({ current: value }));
  ref.current = value;
  return ref;
}
const schedulerRoles = new Set(['owner', 'admin', 'editor']);
const views: CalendarViewName[] = ['month', 'week', 'day', 'agenda'];
/** Performance mark set once a view has drawn its posts (bench/web measures navigation → this mark). */
export const calendarRenderedMark = 'herald:calendar-rendered';
const statuses: CalendarState[] = ['draft', 'in_review', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'held', 'unconfirmed', 'cancelled'];

/** The instants bounding what a view shows around `date`, padded by a week for the zone and grid edges. */
function visibleRange(date: Date, view: View): { from: string; to: string } {
  const day = 86_400_000;
  const start = view === 'month' ? new Date(date.getFullYear(), date.getMonth(), 1) : date;
  const span = view === 'month' ? 31 : view === 'agenda' ? 30 : 7;
  return { from: new Date(start.getTime() - 7 * day).toISOString(), to: new Date(start.getTime() + (span + 7) * day).toISOString() };
}

/** The selected post's details, read in full when opened (the calendar's feed carries only what it draws). */
function PostDetail({ workspace, event, onClose }: { workspace: Workspace; event: CalendarEvent; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const full = useLoad(
    () => unwrap(client.api.v1.workspaces[':workspaceId'].posts[':postId'].$get({ param: { workspaceId: workspace.id, postId: event.id } })),
    // The event's state in the deps: a drop or a reload that changes the post reads it again.
    [client, workspace.id, event.id, event.instant, event.status],
  );
  const post: ApprovalPost | undefined = full.data;
  return (
    <aside className="card calendar-detail" aria-labelledby="calendar-detail-title">
      <div className="approval-head">
        <h2 id="calendar-detail-title">{t('calendar.detailTitle')}</h2>
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <p>
        <time dateTime={event.instant}>{formatDateTime(event.instant, i18n.language, workspace.timezone)}</time>
      </p>
      {full.error ? (
        <ErrorState error={full.error} onRetry={full.reload} />
      ) : !post ? (
        <Loading />
      ) : (
        <ul className="calendar-targets">
          {post.targets.map((target) => (
            <li key={target.id} className={`calendar-target cal-network-${target.network.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`}>
              <p>
                <strong>{target.network}</strong> <span className={`badge cal-status-${target.state}`}>{t(`calendar.state.${target.state}`)}</span>
              </p>
              <p className="approval-text">{target.text}</p>
              {target.error && <p className="field-error">{t('calendar.networkError', { message: target.error.message })}</p>}
              {target.externalUrl && /^https?:\/\//.test(target.externalUrl) && (
                <a href={target.externalUrl} target="_blank" rel="noopener noreferrer">
                  {t('calendar.openPublished')}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      <a href={`${workspacePath(workspace.id, 'posts')}/${encodeURIComponent(event.id)}`}>{t('calendar.openDetail')}</a>
    </aside>
  );
}

/** The Calendar screen. View, day and time scale live in the address (`?view=week&date=…&scale=5`). */
export function CalendarScreen({ workspace }: { workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [initial] = useState(() => parseCalendarPlace(typeof window === 'undefined' ? '' : window.location.search));
  const [view, setView] = useState<View>(initial.view);
  const [date, setDate] = useState<Date>(() => (initial.date ? dayToWallClock(initial.date) : toWallClock(new Date(), workspace.timezone)));
  const [scale, setScale] = useState<TimeScale>(initial.scale);
  const [filter, setFilter] = useState<{ accountId: string; status: string; authorId: string }>({ accountId: '', status: '', authorId: '' });
  const [selected, setSelected] = useState<CalendarEvent | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const range = visibleRange(date, view);
  const ws = client.api.v1.workspaces[':workspaceId'];

  // Keep the place in the address without adding history entries (the path, and so the screen, stays).
  useEffect(() => {
    const search = calendarPlaceSearch({ view: view as CalendarViewName, date: wallClockDay(date), scale });
    if (window.location.search !== search) window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}`);
  }, [view, date, scale]);

  // The light feed (GET /calendar): a busy month in one or two requests.
  const posts = useLoad(async () => {
    const out: CalendarItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await unwrap(ws.calendar.$get({ param: { workspaceId: workspace.id }, query: { from: range.from, to: range.to, limit: '1000', ...(cursor ? { cursor } : {}) } }));
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }, [client, workspace.id, range.from, range.to]);
  const accounts = useLoad(() => unwrap(ws.accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const members = useLoad(() => unwrap(ws.members.$get({ param: { workspaceId: workspace.id }, query: { limit: '200' } })), [client, workspace.id]);

  const maySchedule = schedulerRoles.has(workspace.role);
  const events = useMemo(
    () => toCalendarEvents(filterPosts(posts.data ?? [], filter), { timeZone: workspace.timezone, maySchedule, durationMinutes: eventMinutes(scale) }),
    [posts.data, filter, workspace.timezone, maySchedule, scale],
  );

  // Mark the first frame painted with the loaded posts (rAF runs before that paint, the timeout after it).
  const loaded = posts.data !== undefined && !posts.loading;
  useEffect(() => {
    if (!loaded) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => performance.mark(calendarRenderedMark, { detail: { view, events: events.length } }), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [loaded, events, view]);

  // Stable props: react-big-calendar re-renders every cell when an accessor or the messages change identity.
  const { step, timeslots } = scaleSlots(scale);
  const getNow = useCallback(() => toWallClock(new Date(), workspace.timezone), [workspace.timezone]);
  const scrollToTime = useMemo(() => new Date(getNow().getTime() - 30 * 60_000), [getNow, scale]);
  const tooltipAccessor = useCallback((e: CalendarEvent) => `${e.title} — ${t(`calendar.state.${e.status}`)} — ${e.networks.join(', ')}`, [t]);
  const eventPropGetter = useCallback((e: CalendarEvent) => ({ className: e.className }), []);
  const draggableAccessor = useCallback((e: CalendarEvent) => e.editable, []);
  const messages = useMemo(
    () => ({
      month: t('calendar.month'),
      week: t('calendar.week'),
      day: t('calendar.day'),
      agenda: t('calendar.list'),
      today: t('calendar.today'),
      previous: t('calendar.previous'),
      next: t('calendar.next'),
      noEventsInRange: t('calendar.noEvents'),
      showMore: (n: number) => t('calendar.more', { n }),
    }),
    [t],
  );

  const onDropRef = useLatest(async ({ event, start }: EventInteractionArgs<CalendarEvent>) => {
    if (!event.editable) return;
    const when = toScheduleInput(new Date(start), workspace.timezone);
    try {
      const call = ws.posts[':postId'].schedule.$post;
      // The route's optional body is left out of the client's types; the server validates it.
      const scheduleAt = call as (args: { param: { workspaceId: string; postId: string }; json: { schedule: typeof when } }) => ReturnType<typeof call>;
      const updated = await unwrap(scheduleAt({ param: { workspaceId: workspace.id, postId: event.id }, json: { schedule: when } }));
      setNotice({ kind: 'ok', text: t('calendar.rescheduled', { time: formatDateTime(updated.scheduledAt ?? '', i18n.language, workspace.timezone) }) });
    } catch (e) {
      // Nothing moved on the server, and the calendar only draws what the server says: it snaps back.
      setNotice({ kind: 'error', text: t('calendar.rescheduleRefused', { reason: errorMessage(e, t) }) });
    }
    posts.reload();
  });

  const onEventDrop = useCallback((args: EventInteractionArgs<CalendarEvent>) => void onDropRef.current(args), []);
  const select = (name: keyof typeof filter, label: string, options: Array<{ value: string; label: string }>) => (
    <label className="field field-inline">
      <span className="field-label">{label}</span>
      <select value={filter[name]} onChange={(e) => setFilter((f) => ({ ...f, [name]: e.target.value }))}>
        <option value="">{t('calendar.all')}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="screen calendar-screen" aria-labelledby="calendar-title">
      <h1 id="calendar-title">{t('calendar.title')}</h1>
      <p className="hint">{t('calendar.timeZoneNote', { zone: workspace.timezone })}</p>
      <div className="calendar-filters" role="group" aria-label={t('calendar.filters')}>
        {select('accountId', t('calendar.account'), (accounts.data?.items ?? []).map((a) => ({ value: a.id, label: `${a.handle} (${a.network})` })))}
        {select('status', t('calendar.status'), statuses.map((s) => ({ value: s, label: t(`calendar.state.${s}`) })))}
        {(view === 'week' || view === 'day') && (
          <label className="field field-inline">
            <span className="field-label">{t('calendar.scale')}</span>
            <select value={scale} onChange={(e) => setScale(Number(e.target.value) as TimeScale)}>
              {timeScales.map((s) => (
                <option key={s} value={s}>
                  {t('calendar.scaleMinutes', { count: s })}
                </option>
              ))}
            </select>
          </label>
        )}
        {members.data && select('authorId', t('calendar.author'), members.data.items.map((m) => ({ value: m.userId, label: m.name || m.email })))}
      </div>
      <div className={`notice${notice?.kind === 'error' ? ' notice-error' : ''}`} role={notice?.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
        {notice?.text}
      </div>
      {posts.error ? <ErrorState error={posts.error} onRetry={posts.reload} /> : posts.loading && !posts.data ? <Loading /> : null}
      <div className="calendar-layout">
        <div className={`calendar-host calendar-scale-${scale}`} data-view={view} data-loaded={loaded ? 'true' : 'false'}>
          {/* The grid is drawn once the first answer is in (not empty first and full again): on a
              slow device the empty grid alone delayed the request for the posts. Later loads keep it. */}
          {(posts.data !== undefined || posts.error != null) && (
            <DnDCalendar
              // The time grid scrolls to "now" only when it mounts; a new grid step makes the grid far
              // taller or shorter, so it is mounted afresh to land on the current time again.
              key={scale}
              localizer={localizer}
              culture={i18n.language}
              events={events}
              view={view}
              views={views}
              onView={setView}
              date={date}
              getNow={getNow}
              onNavigate={setDate}
              titleAccessor="title"
              startAccessor="start"
              endAccessor="end"
              tooltipAccessor={tooltipAccessor}
              eventPropGetter={eventPropGetter}
              draggableAccessor={draggableAccessor}
              resizable={false}
              popup
              step={step}
              timeslots={timeslots}
              scrollToTime={scrollToTime}
              onEventDrop={onEventDrop}
              onSelectEvent={setSelected}
              messages={messages}
            />
          )}
        </div>
        {selected && <PostDetail workspace={workspace} event={events.find((e) => e.id === selected.id) ?? selected} onClose={() => setSelected(null)} />}
      </div>
    </section>
  );
}
