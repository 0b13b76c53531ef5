// Boussole admin: the page works without this script; it only sends the
// CSRF token on script requests. Each part of the admin adds its own
// behaviour below, keyed on data- attributes.
"use strict";
function boussoleCSRF() { return document.body.dataset.csrf || ""; }
