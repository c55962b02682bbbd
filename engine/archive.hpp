#pragma once
// Byte archives of in-memory state, for checkpoints (docs/checkpoint-format.md).
//
// A type states once which members make its state, in order, in a function template that both
// writes and reads them: a member `template <class A> void archive(A& a)` or a free
// `archive(A& a, T& value)` found by argument-dependent lookup, calling a(member, ...). Without
// one, a trivially copyable value goes as its bytes; a vector, string or pair as its length (u64)
// then its elements (a vector of trivially copyable values as one block of bytes). Everything is
// little-endian, as the machines this runs on. Named sections (a name, a length, the bytes) let a
// reader say where a state it cannot read went wrong.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace engine {

static_assert(std::endian::native == std::endian::little, "archives are little-endian");

// State bytes that cannot be read: truncated, or not laid out as the reader expects.
class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T, class Alloc>
struct is_vector<std::vector<T, Alloc>> : std::true_type {};
template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};

template <class A, class T>
concept has_member_archive = requires(A& a, T& v) {
  v.archive(a);
};
template <class A, class T>
concept has_free_archive = requires(A& a, T& v) {
  archive(a, v);
};
template <class A, class T>
concept custom_archive = has_member_archive<A, T> || has_free_archive<A, T>;
}  // namespace detail

// Visits values for an archive: Io is the writer or the reader, whose raw(bytes) moves bytes one
// way or the other and whose size(n) writes or reads a length.
template <class Io>
class Archive {
 public:
  template <class... T>
  void operator()(T&... values) {
    (one(values), ...);
  }

 private:
  Io& io() { return static_cast<Io&>(*this); }

  template <class T>
  void one(T& v) {
    using detail::custom_archive;
    if constexpr (detail::has_member_archive<Io, T>) {
      v.archive(io());
    } else if constexpr (detail::has_free_archive<Io, T>) {
      archive(io(), v);
    } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
      static_assert(!std::is_same_v<T, T>, "std::vector<bool> has no bytes to archive: use std::uint8_t");
    } else if constexpr (detail::is_vector<T>::value) {
      using E = typename T::value_type;
      const std::size_t n = io().size(v.size());
      if constexpr (Io::reading) v.resize(n);
      // Pairs go member by member: their padding would make equal states differ in bytes.
      if constexpr (std::is_trivially_copyable_v<E> && !custom_archive<Io, E> && !detail::is_pair<E>::value)
        io().raw(v.data(), n * sizeof(E));
      else
        for (auto& e : v) one(e);
    } else if constexpr (std::is_same_v<T, std::string>) {
      const std::size_t n = io().size(v.size());
      if constexpr (Io::reading) v.resize(n);
      io().raw(v.data(), n);
    } else if constexpr (detail::is_pair<T>::value) {
      one(v.first);
      one(v.second);
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      io().raw(&v, sizeof(T));
    } else {
      static_assert(!std::is_same_v<T, T>, "no archive(A&) for this type: say which members make its state");
    }
  }
};

class ArchiveWriter : public Archive<ArchiveWriter> {
 public:
  static constexpr bool reading = false;
  explicit ArchiveWriter(std::vector<std::byte>& out) : out_(out) {}
  void raw(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const std::byte*>(data);
    out_.insert(out_.end(), p, p + bytes);
  }
  std::size_t size(std::size_t n) {
    auto v = static_cast<std::uint64_t>(n);
    raw(&v, sizeof v);
    return n;
  }
  // A named section: its name, its length in bytes, then what body() writes.
  template <class Body>
  void section(const std::string& name, Body&& body) {
    std::string n = name;
    (*this)(n);
    const std::size_t at = out_.size();
    size(0);  // the length, filled in below
    body();
    const auto length = static_cast<std::uint64_t>(out_.size() - at - sizeof(std::uint64_t));
    std::memcpy(out_.data() + at, &length, sizeof length);
  }

 private:
  std::vector<std::byte>& out_;
};

class ArchiveReader : public Archive<ArchiveReader> {
 public:
  static constexpr bool reading = true;
  ArchiveReader(const std::byte* data, std::size_t bytes) : data_(data), end_(data + bytes) {}
  void raw(void* into, std::size_t bytes) {
    if (static_cast<std::size_t>(end_ - data_) < bytes)
      throw ArchiveError("the state ends early" + where() + " (a truncated or damaged file)");
    if (bytes > 0) std::memcpy(into, data_, bytes);
    data_ += bytes;
  }
  std::size_t size(std::size_t) {
    std::uint64_t v = 0;
    raw(&v, sizeof v);
    if (v > static_cast<std::uint64_t>(end_ - data_))  // no length here can exceed the bytes left
      throw ArchiveError("the state holds a length longer than what remains" + where() + " (a damaged file)");
    return static_cast<std::size_t>(v);
  }
  // Reads a section written by ArchiveWriter::section: its name must be `name`, and body() must
  // read exactly its length.
  template <class Body>
  void section(const std::string& name, Body&& body) {
    std::string found;
    (*this)(found);
    if (found != name) throw ArchiveError("expected the state's section '" + name + "', found '" + found + "'");
    const std::size_t length = size(0);
    const std::byte* const section_end = data_ + length;
    const std::string outer = section_;
    section_ = name;
    body();
    if (data_ != section_end)
      throw ArchiveError("section '" + name + "' of the state is not laid out as this version reads it");
    section_ = outer;
  }
  bool at_end() const noexcept { return data_ == end_; }

 private:
  std::string where() const { return section_.empty() ? std::string() : " in section '" + section_ + "'"; }
  const std::byte* data_;
  const std::byte* end_;
  std::string section_;
};

// Every column of a struct-of-arrays table (engine/columns.hpp), in declared order.
template <class A, class Table>
void archive_columns(A& a, Table& table) {
  table.for_each_column([&](const char*, auto& column) { a(column); });
}

}  // namespace engine
