import Bowser from 'bowser';
import type { TDeviceType } from '../../server/events';

export interface ParsedUserAgent {
  deviceType: TDeviceType;
  browser?: string;
  os?: string;
}

// Bowser knows the big crawlers; scripts and monitors name themselves in other ways.
const AUTOMATED_CLIENT = /bot\b|crawler|spider|slurp|curl\/|wget\/|python-requests|headless/i;

/** Device type, browser and OS from a User-Agent header, with bowser (MIT). */
export function parseUserAgent(userAgent: string | undefined): ParsedUserAgent {
  if (!userAgent) return { deviceType: 'unknown' };
  const parsed = Bowser.parse(userAgent);
  const browser = joinNameVersion(parsed.browser.name, majorVersion(parsed.browser.version));
  const os = joinNameVersion(parsed.os.name, parsed.os.versionName ?? parsed.os.version);
  return { deviceType: deviceTypeOf(parsed.platform.type, userAgent), browser, os };
}

function deviceTypeOf(platformType: string | undefined, userAgent: string): TDeviceType {
  if (platformType === 'bot' || AUTOMATED_CLIENT.test(userAgent)) return 'bot';
  if (platformType === 'mobile' || platformType === 'tablet' || platformType === 'desktop') return platformType;
  return 'unknown';
}

function majorVersion(version: string | undefined): string | undefined {
  return version?.split('.')[0];
}

function joinNameVersion(name: string | undefined, version: string | undefined): string | undefined {
  if (!name) return undefined;
  return (version ? `${name} ${version}` : name).slice(0, 100);
}
