terraform {
  required_providers {
    motherduck = {
      source = "duckops/motherduck"
    }
  }
}

# When not set here, the token is read from MOTHERDUCK_ADMIN_TOKEN (the
# variable of MotherDuck's own provider), then MOTHERDUCK_TOKEN, then
# motherduck_token, then MOTHERDUCK_API_TOKEN (the community provider's); the
# API URL from MOTHERDUCK_API_URL, then MOTHERDUCK_API_BASE_URL. The token must
# be a read/write token of an organization Admin.
provider "motherduck" {
  # token           = var.motherduck_admin_token
  # api_url         = "https://api.motherduck.com"
  request_timeout = "30s"
  max_retries     = 4

  # Limits every token of this configuration must meet, checked at plan time,
  # before any request: no module can mint a token that never expires, or
  # lives longer than 180 days, by mistake. Narrow allowed_token_types to
  # ["read_scaling"] where only readers need tokens.
  token_policy {
    max_ttl             = 180 * 24 * 3600
    require_ttl         = true
    allowed_token_types = ["read_write", "read_scaling"]
  }
}
