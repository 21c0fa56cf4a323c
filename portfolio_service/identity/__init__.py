"""Who the public caller is: user access tokens issued and checked by the gateway."""
