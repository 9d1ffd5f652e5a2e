"""drf-spectacular: ``JWTAuthentication`` appears in the schema as an HTTP bearer scheme (JWT format)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from restflow.authentication._config import jwt_config


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """The security scheme of ``JWTAuthentication`` and its subclasses."""

    target_class = "restflow.authentication.jwt.JWTAuthentication"
    name = "jwtAuth"
    match_subclasses = True
    priority = -1

    def get_security_definition(self, auto_schema):
        header_type = jwt_config().header_types[0]
        if header_type.lower() == "bearer":
            return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f'Token-based authentication with required prefix "{header_type}"',
        }
