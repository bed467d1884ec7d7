/**
 * Starts ONE PDS-only local AT Protocol network (test-peers/network.mjs) for the whole test run and
 * provides its URL as `blueskyPdsUrl`; stops it at the end. The ~3 s start is paid only when a selected
 * test file uses the network (it mentions `requireBlueskyPds`/`blueskyPdsUrl`), so runs of unrelated
 * files stay fast. When test-peers/node_modules is missing or the start fails, suites skip — unless
 * HERALD_TEST_REQUIRE_ALL=1, where this setup fails the run.
 */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { testEnv } from '../../src/config/config';
import { startBlueskyNetwork, testPeersInstalled, type BlueskyTestNetwork } from './bluesky-network';
import './provided-context';


async function selectedFilesNeedIt(project: TestProject): Promise<boolean> {
  try {
    // The CLI file filters (`vitest run test/x`); vitest keeps them on an internal field.
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const { testFiles } = await project.globTestFiles(filters);
    return testFiles.some((f) => /requireBlueskyPds|blueskyPdsUrl/.test(readFileSync(f, 'utf8')));
  } catch {
    return true; // when in doubt, start it
  }
}

export default async function setup(project: TestProject) {
  const env = testEnv();
  project.provide('blueskyPdsUrl', null);
  if (!env.requireAll && !(await selectedFilesNeedIt(project))) return;

  if (!testPeersInstalled()) {
    if (env.requireAll) throw new Error('The Bluesky test network is required (HERALD_TEST_REQUIRE_ALL=1) but test-peers/node_modules is missing: run "npm ci" in test-peers');
    return;
  }
  let network: BlueskyTestNetwork;
  try {
    network = await startBlueskyNetwork();
  } catch (e) {
    if (env.requireAll) throw new Error(`The Bluesky test network is required (HERALD_TEST_REQUIRE_ALL=1) but did not start: ${String(e)}`);
    return;
  }
  project.provide('blueskyPdsUrl', network.pdsUrl);
  return async () => {
    await network.stop();
  };
}
