/** webtorrent 3's prebuilt browser bundle: an ES module whose default export is the client class. */
declare module 'webtorrent/dist/webtorrent.min.js' {
  const WebTorrent: unknown;
  export default WebTorrent;
}
