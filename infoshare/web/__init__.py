"""The caseworkers' web form: FastAPI with server-rendered Jinja2 pages (no JavaScript needed).

`web.app.create_app` builds the application; `web.server.serve` runs it under uvicorn for
`infoshare web` and `infoshare up`.
"""
