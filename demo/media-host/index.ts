/** The local media host (demo and test code, not in the published package). */
export { startMediaHost, MEDIA_HOST_COOKIE } from './server.js';
export type { MediaHost, MediaHostOptions } from './server.js';
export { mp4Bytes, jpegBytes, htmlPage } from './media-bytes.js';
export { POSTS } from './posts.js';
