/**
 * English UI strings: the reference set. ru.ts and sv.ts must have exactly the same keys (plural
 * forms aside, which follow each language's own rules); test/web checks that at run time and the
 * `Messages` type at compile time.
 */
export const en = {
  app: {
    name: 'Herald',
    tagline: 'Social media, scheduled and published exactly once.',
    skipToContent: 'Skip to content',
  },
  common: {
    loading: 'Loading…',
    retry: 'Try again',
    cancel: 'Cancel',
    save: 'Save',
    saving: 'Saving…',
    remove: 'Remove',
    confirmRemove: 'Yes, remove',
    close: 'Close',
    required: 'required',
    optional: 'optional',
    unexpectedError: 'Something went wrong. Please try again.',
    networkError: 'Herald cannot be reached. Check your connection and try again.',
  },
  language: {
    label: 'Language',
    en: 'English',
    ru: 'Русский',
    sv: 'Svenska',
    saveFailed: 'The language could not be saved to your profile.',
  },
  auth: {
    signInTitle: 'Sign in to Herald',
    email: 'E-mail address',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    signOut: 'Sign out',
    wrongCredentials: 'E-mail address or password is wrong.',
    tooManyAttempts: 'Too many attempts. Wait a few minutes and try again.',
    setupTitle: 'Welcome to Herald',
    setupIntro: 'Create the owner account and a first workspace. You can invite others afterwards.',
    name: 'Your name',
    passwordHint: 'At least 10 characters.',
    organizationName: 'Organisation name',
    workspaceName: 'First workspace',
    workspaceNamePlaceholder: 'My workspace',
    timezone: 'Time zone of the workspace',
    createOwner: 'Create account and sign in',
    creating: 'Creating…',
    setupClosed: 'Herald is already set up. Sign in instead.',
  },
  shell: {
    mainNavigation: 'Main navigation',
    workspace: 'Workspace',
    noWorkspaces: 'You are not a member of any workspace yet. Ask an administrator to invite you.',
    signedInAs: 'Signed in as {{name}}',
    nav: {
      accounts: 'Accounts',
    },
    role: {
      owner: 'Owner',
      admin: 'Admin',
      editor: 'Editor',
      contributor: 'Contributor',
      viewer: 'Viewer',
    },
    notFound: 'This page does not exist.',
    backHome: 'Go to accounts',
  },
  accounts: {
    title: 'Accounts',
    intro: 'Connect the social accounts this workspace publishes to.',
    empty: 'No accounts yet. Connect one to start scheduling posts.',
    listLabel: 'Connected accounts',
    connectTitle: 'Connect an account',
    network: 'Network',
    connect: 'Connect',
    connecting: 'Connecting…',
    connected: '{{handle}} is connected.',
    reconnect: 'Reconnect',
    reconnectTitle: 'Reconnect {{handle}}',
    reconnected: '{{handle}} is reconnected.',
    resumed_one: '{{count}} held post resumes.',
    resumed_other: '{{count}} held posts resume.',
    removeNamed: 'Remove {{handle}}',
    removeConfirm: 'Remove {{handle}}? Its unsent posts are cancelled.',
    removed: '{{handle}} was removed.',
    cancelled_one: '{{count}} unsent post was cancelled.',
    cancelled_other: '{{count}} unsent posts were cancelled.',
    heldPosts_one: '{{count, number}} post waits for this account',
    heldPosts_other: '{{count, number}} posts wait for this account',
    connectedOn: 'Connected {{date}}',
    noNetworks: 'No networks are available on this Herald.',
    cannotManage: 'Only admins and owners can connect or remove accounts.',
    status: {
      label: 'Status',
      ok: 'Connected',
      needs_reconnect: 'Needs reconnecting',
      disconnected: 'Disconnected',
    },
  },
  /**
   * Translations of what connectors declare (their credential fields), keyed by network id and field
   * name. Data, not code: a network without entries here shows the connector's own English words.
   */
  connectorFields: {
    bluesky: {
      identifier: {
        label: 'Handle or e-mail',
        help: 'Your Bluesky handle (without @), DID or account e-mail address.',
      },
      appPassword: {
        label: 'App password',
        help: 'Create one in Bluesky under Settings → Privacy and security → App passwords. Do not use your main password.',
      },
      serviceUrl: {
        label: 'Hosting provider (PDS) URL',
        help: 'Leave empty for accounts hosted by Bluesky; fill in for a self-hosted PDS.',
      },
    },
  },
  errors: {
    forbidden: 'You do not have permission to do that.',
    notFound: 'It no longer exists.',
    conflict: 'That conflicts with something that already exists.',
    invalid: 'Please check the highlighted fields.',
    unauthorized: 'Your session has ended. Sign in again.',
  },
};

/** The shape every language must fill: the same nested keys, all strings. */
export type Messages = typeof en;
