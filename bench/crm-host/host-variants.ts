import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEER_CAPTURES } from '../peers/peer-plugins';
import { PEERS_DIRECTORY } from '../peers/peer-runtime';
import type { CaptureAdapter } from './capture';
import { OUR_AFTER_VALUES_CAPTURE, OUR_CAPTURE } from './our-capture';

/** One host the bench runs: the same app, on some mongoose, with some plugin or none. */
export interface HostVariant {
  id: string;
  label: string;
  /** bench/peers/<folder>'s mongoose; none: the repository's. */
  folder?: string;
  capture?: CaptureAdapter;
  /** The audit-off host on the same mongoose, which its ratios are against. */
  baseline?: string;
}

export const AUDIT_OFF = 'off';

function mongooseVersionOf(folder: string): string {
  const manifest = JSON.parse(readFileSync(join(PEERS_DIRECTORY, folder, 'package.json'), 'utf8')) as { dependencies: { mongoose: string } };
  return manifest.dependencies.mongoose;
}

/**
 * Audit off and crm-audit-log (as installed, and with afterValuesOnly) on the repository's mongoose 9, then for each peer an audit-off host
 * on the peer's own mongoose and the peer: every ratio compares two hosts on the same mongoose.
 */
export function hostVariants({ peers }: { peers: boolean }): HostVariant[] {
  const variants: HostVariant[] = [
    { id: AUDIT_OFF, label: `audit off (mongoose ${require('mongoose/package.json').version as string})` },
    { id: OUR_CAPTURE.id, label: OUR_CAPTURE.label, capture: OUR_CAPTURE, baseline: AUDIT_OFF },
    { id: OUR_AFTER_VALUES_CAPTURE.id, label: OUR_AFTER_VALUES_CAPTURE.label, capture: OUR_AFTER_VALUES_CAPTURE, baseline: AUDIT_OFF },
  ];
  if (!peers) return variants;
  for (const peer of PEER_CAPTURES) {
    const baseline = `off-${peer.folder!}`;
    variants.push({ id: baseline, label: `audit off (mongoose ${mongooseVersionOf(peer.folder!)})`, folder: peer.folder });
    variants.push({ id: peer.id, label: peer.label, folder: peer.folder, capture: peer, baseline });
  }
  return variants;
}

export function variantById(id: string): HostVariant {
  const variant = hostVariants({ peers: true }).find((candidate) => candidate.id === id);
  if (!variant) throw new Error(`no bench host variant "${id}"`);
  return variant;
}
