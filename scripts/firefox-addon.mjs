// Firefox's add-on ID: storage.sync needs one (docs/firefox.md), and it must never change,
// or every user's Firefox storage would be left behind under the old one.
export const GECKO_ID = 'meshdeck@meshdeck.dev';
