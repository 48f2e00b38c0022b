/** The toolbar button: Chrome's MV3 `action`, Firefox's MV2 `browserAction` (the same three calls). */
import browser from 'webextension-polyfill';
import type { Toolbar } from '../../core/control/toolbar-badge';

export function browserToolbar(): Toolbar {
  const action = browser.action ?? browser.browserAction;
  return {
    async show({ text, color, title }) {
      await Promise.all([action.setBadgeText({ text }), action.setBadgeBackgroundColor({ color }), action.setTitle({ title })]);
      // Chrome picks black or white text by itself; Firefox needs telling (and older ones lack the call).
      await action.setBadgeTextColor?.({ color: '#ffffff' });
    },
  };
}
