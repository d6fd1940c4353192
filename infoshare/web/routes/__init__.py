"""The application's routes: sign-in, proposals, the register and the JSON API."""
