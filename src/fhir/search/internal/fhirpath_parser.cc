// SPDX-License-Identifier: Apache-2.0
// Recursive-descent parser for the FHIRPath subset in fhirpath.h.

#include <array>
#include <cctype>
#include <charconv>

#include "fhir/search/internal/fhirpath_ast.h"

namespace mamori::fhir::search::internal {
namespace {

constexpr std::array<std::string_view, 9> kFunctions = {
    "where", "exists", "empty", "not", "first", "resolve", "ofType", "as", "is"};

// Nesting bound: the definitions nest 3 deep; anything deeper is not R4 data.
constexpr int kMaxDepth = 32;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  core::Result<std::unique_ptr<Expr>> ParseAll() {
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> expr, ParseAnd());
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the expression");
    return expr;
  }

 private:
  core::Status Error(std::string what) const {
    return core::InvalidArgumentError("FHIRPath at offset " + std::to_string(pos_) + ": " +
                                      std::move(what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Accept(std::string_view token) {
    SkipSpace();
    if (!text_.substr(pos_).starts_with(token)) return false;
    pos_ += token.size();
    return true;
  }

  // A keyword is a word not followed by an identifier character.
  bool AcceptKeyword(std::string_view word) {
    SkipSpace();
    if (!text_.substr(pos_).starts_with(word)) return false;
    size_t end = pos_ + word.size();
    if (end < text_.size() &&
        (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
      return false;
    }
    pos_ = end;
    return true;
  }

  std::string_view ReadIdentifier() {
    SkipSpace();
    size_t start = pos_;
    if (pos_ < text_.size() &&
        (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
    }
    return text_.substr(start, pos_ - start);
  }

  // A type specifier: Name or FHIR.Name (the namespace is dropped).
  core::Result<std::string> ReadTypeName() {
    std::string_view name = ReadIdentifier();
    if (name == "FHIR" || name == "System") {
      if (!Accept(".")) return Error("expected a type name");
      name = ReadIdentifier();
    }
    if (name.empty()) return Error("expected a type name");
    return std::string(name);
  }

  static std::unique_ptr<Expr> Binary(Expr::Kind kind, std::unique_ptr<Expr> left,
                                      std::unique_ptr<Expr> right) {
    auto expr = std::make_unique<Expr>();
    expr->kind = kind;
    expr->args.push_back(std::move(left));
    expr->args.push_back(std::move(right));
    return expr;
  }

  core::Result<std::unique_ptr<Expr>> ParseAnd() {
    if (++depth_ > kMaxDepth) return Error("expression nests too deep");
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> left, ParseEquality());
    while (AcceptKeyword("and")) {
      MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> right, ParseEquality());
      left = Binary(Expr::Kind::kAnd, std::move(left), std::move(right));
    }
    SkipSpace();
    for (std::string_view word : {"or", "xor", "implies", "in", "contains"}) {
      size_t saved = pos_;
      if (AcceptKeyword(word)) {
        pos_ = saved;
        return Error("operator '" + std::string(word) + "' is not supported");
      }
    }
    --depth_;
    return left;
  }

  core::Result<std::unique_ptr<Expr>> ParseEquality() {
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> left, ParseUnion());
    Expr::Kind kind;
    if (Accept("!=")) {
      kind = Expr::Kind::kNotEqual;
    } else if (Accept("=")) {
      kind = Expr::Kind::kEqual;
    } else {
      SkipSpace();
      if (pos_ < text_.size() &&
          std::string_view("<>~!").find(text_[pos_]) != std::string_view::npos) {
        return Error("comparison operator is not supported");
      }
      return left;
    }
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> right, ParseUnion());
    return Binary(kind, std::move(left), std::move(right));
  }

  core::Result<std::unique_ptr<Expr>> ParseUnion() {
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> left, ParseType());
    while (Accept("|")) {
      MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> right, ParseType());
      left = Binary(Expr::Kind::kUnion, std::move(left), std::move(right));
    }
    return left;
  }

  core::Result<std::unique_ptr<Expr>> ParseType() {
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> left, ParsePostfix());
    bool is = AcceptKeyword("is");
    if (!is && !AcceptKeyword("as")) return left;
    auto expr = std::make_unique<Expr>();
    expr->kind = is ? Expr::Kind::kIs : Expr::Kind::kAs;
    MAMORI_ASSIGN_OR_RETURN(expr->name, ReadTypeName());
    expr->args.push_back(std::move(left));
    return expr;
  }

  core::Result<std::unique_ptr<Expr>> ParsePostfix() {
    MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> expr, ParsePrimary());
    for (;;) {
      if (Accept(".")) {
        MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> right, ParseInvocation());
        expr = Binary(Expr::Kind::kInvoke, std::move(expr), std::move(right));
      } else if (Accept("[")) {
        auto index = std::make_unique<Expr>();
        index->kind = Expr::Kind::kIndex;
        MAMORI_ASSIGN_OR_RETURN(index->integer, ReadInteger());
        if (!Accept("]")) return Error("expected ]");
        index->args.push_back(std::move(expr));
        expr = std::move(index);
      } else {
        return expr;
      }
    }
  }

  core::Result<int64_t> ReadInteger() {
    SkipSpace();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
    if (ec != std::errc() || value < 0) return Error("expected a non-negative integer");
    pos_ = static_cast<size_t>(end - text_.data());
    return value;
  }

  core::Result<std::unique_ptr<Expr>> ParsePrimary() {
    SkipSpace();
    if (Accept("(")) {
      MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> inner, ParseAnd());
      if (!Accept(")")) return Error("expected )");
      return inner;
    }
    auto literal = std::make_unique<Expr>();
    if (pos_ < text_.size() && text_[pos_] == '\'') {
      literal->kind = Expr::Kind::kString;
      MAMORI_ASSIGN_OR_RETURN(literal->name, ReadString());
      return literal;
    }
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      literal->kind = Expr::Kind::kInteger;
      MAMORI_ASSIGN_OR_RETURN(literal->integer, ReadInteger());
      return literal;
    }
    bool is_true = AcceptKeyword("true");
    if (is_true || AcceptKeyword("false")) {
      literal->kind = Expr::Kind::kBoolean;
      literal->boolean = is_true;
      return literal;
    }
    if (pos_ < text_.size() && (text_[pos_] == '%' || text_[pos_] == '$' || text_[pos_] == '`')) {
      return Error("variables and delimited identifiers are not supported");
    }
    return ParseInvocation();
  }

  core::Result<std::string> ReadString() {
    std::string out;
    for (++pos_; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (c == '\'') {
        ++pos_;
        return out;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) c = text_[++pos_];
      out += c;
    }
    return Error("unterminated string");
  }

  core::Result<std::unique_ptr<Expr>> ParseInvocation() {
    std::string_view name = ReadIdentifier();
    if (name.empty()) return Error("expected an identifier");
    auto expr = std::make_unique<Expr>();
    expr->name = std::string(name);
    if (!Accept("(")) {
      expr->kind = Expr::Kind::kIdentifier;
      return expr;
    }
    expr->kind = Expr::Kind::kFunction;
    bool known = false;
    for (std::string_view f : kFunctions) known = known || f == name;
    if (!known) return Error("function '" + std::string(name) + "' is not supported");
    if (name == "ofType" || name == "as" || name == "is") {
      MAMORI_ASSIGN_OR_RETURN(std::string type, ReadTypeName());
      auto arg = std::make_unique<Expr>();
      arg->kind = Expr::Kind::kIdentifier;
      arg->name = std::move(type);
      expr->args.push_back(std::move(arg));
    } else if (!Accept(")")) {
      MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> arg, ParseAnd());
      expr->args.push_back(std::move(arg));
      if (Accept(",")) return Error("functions with several arguments are not supported");
    } else {
      return CheckArity(std::move(expr));
    }
    if (!Accept(")")) return Error("expected )");
    return CheckArity(std::move(expr));
  }

  core::Result<std::unique_ptr<Expr>> CheckArity(std::unique_ptr<Expr> expr) {
    bool takes_argument =
        expr->name == "where" || expr->name == "ofType" || expr->name == "as" || expr->name == "is";
    if (takes_argument != (expr->args.size() == 1)) {
      return Error("wrong number of arguments to '" + expr->name + "'");
    }
    return expr;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

void ExprDeleter::operator()(const Expr* expr) const { delete expr; }

core::Result<ExprPtr> ParseFhirPath(std::string_view text) {
  Parser parser(text);
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Expr> expr, parser.ParseAll());
  return ExprPtr(expr.release());
}

}  // namespace mamori::fhir::search::internal
