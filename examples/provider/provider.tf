terraform {
  required_providers {
    motherduck = {
      source = "duckops/motherduck"
    }
  }
}

# When not set here, the token is read from MOTHERDUCK_ADMIN_TOKEN (the
# variable of MotherDuck's own provider), then MOTHERDUCK_TOKEN, then
# motherduck_token. It must be a read/write token of an organization Admin.
provider "motherduck" {
  # token           = var.motherduck_admin_token
  # api_url         = "https://api.motherduck.com"
  request_timeout = "30s"
  max_retries     = 4
}
